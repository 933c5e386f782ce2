// host.name / host.id (HostIdentity) and user.name / user.loginname (UserNames) over fake
// files: read once, re-read when they change, confined to a container's root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "proctree/host_identity.h"
#include "proctree/upper_layer.h"
#include "proctree/user_names.h"

namespace vigil::proctree {
namespace {

namespace fs = std::filesystem;

class HostUserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-host-user-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  fs::path dir_;
};

constexpr uint64_t kSecond = 1'000'000'000ULL;

TEST_F(HostUserTest, HostNameAndMachineId) {
  HostIdentityOptions o;
  o.hostname_path = Write("hostname", "web-01\n");
  o.machine_id_paths = {(dir_ / "absent").string(), Write("machine-id", "  4f2a9c\n")};
  HostIdentity host(o);
  EXPECT_EQ(host.name(), "web-01");
  EXPECT_EQ(host.id(), "4f2a9c");
  // Renamed: seen at the next refresh, not before the interval.
  Write("hostname", "web-02\n");
  EXPECT_TRUE(host.Refresh(10 * kSecond));
  EXPECT_EQ(host.name(), "web-02");
  Write("hostname", "web-03\n");
  EXPECT_FALSE(host.Refresh(10 * kSecond + kSecond / 2));
  EXPECT_EQ(host.name(), "web-02");
  EXPECT_TRUE(host.Refresh(12 * kSecond));
  EXPECT_EQ(host.name(), "web-03");
  EXPECT_EQ(host.name_changes(), 2u);
  // An unreadable name file keeps the last name.
  fs::remove(dir_ / "hostname");
  EXPECT_FALSE(host.Refresh(20 * kSecond));
  EXPECT_EQ(host.name(), "web-03");
}

// `vigil run --host-name` (a Kubernetes node's name from the downward API): the fixed name wins
// over the UTS host name, also at every refresh.
TEST_F(HostUserTest, FixedHostNameWins) {
  HostIdentityOptions o;
  o.hostname_path = Write("hostname", "vigil-7xk2p\n");
  o.fixed_name = "node-3.example";
  HostIdentity host(o);
  EXPECT_EQ(host.name(), "node-3.example");
  Write("hostname", "renamed\n");
  EXPECT_FALSE(host.Refresh(10 * kSecond));
  EXPECT_EQ(host.name(), "node-3.example");
}

TEST_F(HostUserTest, NoMachineId) {
  HostIdentityOptions o;
  o.hostname_path = (dir_ / "none").string();
  o.machine_id_paths = {Write("empty-id", "\n\n")};
  HostIdentity host(o);
  EXPECT_EQ(host.name(), "");
  EXPECT_EQ(host.id(), "");
}

TEST_F(HostUserTest, ParsePasswdFirstWinsAndSkipsJunk) {
  auto names = ParsePasswd(
      "root:x:0:0:root:/root:/bin/bash\n"
      "# comment\n"
      "+nisuser::::::\n"
      "broken line\n"
      "neg:x:-1:0::/:/bin/sh\n"
      "big:x:99999999999:0::/:/bin/sh\n"
      "toor:x:0:0:second root:/root:/bin/sh\n"
      ":x:5:5::/:/bin/sh\n"
      "alice:x:1000:1000:Alice:/home/alice:/bin/bash");  // no final newline
  EXPECT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "root");
  EXPECT_EQ(names[1000], "alice");
}

TEST_F(HostUserTest, HostPasswdRefreshedWhenItChanges) {
  UserNamesOptions o;
  o.host_passwd = Write("passwd", "root:x:0:0::/root:/bin/sh\n");
  UserNames users(o);
  EXPECT_EQ(users.HostName(0, kSecond).value_or("?"), "root");
  EXPECT_FALSE(users.HostName(1001, kSecond).has_value());
  // useradd: a longer file with a new entry. Within the interval the cache answers.
  Write("passwd", "root:x:0:0::/root:/bin/sh\nmallory:x:1001:1001::/home/m:/bin/sh\n");
  EXPECT_FALSE(users.HostName(1001, kSecond + 1).has_value());
  EXPECT_EQ(users.HostName(1001, 3 * kSecond).value_or("?"), "mallory");
  EXPECT_EQ(users.stats().host_reads, 2u);
  // Unchanged: stat only, no new read.
  EXPECT_EQ(users.HostName(0, 5 * kSecond).value_or("?"), "root");
  EXPECT_EQ(users.stats().host_reads, 2u);
  // Removed: no names rather than stale ones.
  fs::remove(dir_ / "passwd");
  EXPECT_FALSE(users.HostName(0, 7 * kSecond).has_value());
}

TEST_F(HostUserTest, ContainerPasswdConfinedToItsRoot) {
  // A fake /proc whose process 42 has a root with its own passwd, and process 43 whose
  // /etc/passwd is a symbolic link pointing at the "host's" file by absolute path and by "..".
  UserNamesOptions o;
  o.host_passwd = Write("passwd", "root:x:0:0::/root:/bin/sh\nhostonly:x:7:7::/:/bin/sh\n");
  o.proc_root = (dir_ / "proc").string();
  Write("proc/42/root/etc/passwd", "root:x:0:0::/root:/bin/sh\nnginx:x:101:101::/:/bin/false\n");
  fs::create_directories(dir_ / "proc/43/root/etc");
  fs::create_symlink(dir_ / "passwd", dir_ / "proc/43/root/etc/passwd");
  fs::create_directories(dir_ / "proc/44/root/etc");
  fs::create_symlink("../../../../passwd", dir_ / "proc/44/root/etc/passwd");
  UserNames users(o);
  EXPECT_EQ(users.ContainerName("c1", 42, 101, kSecond).value_or("?"), "nginx");
  EXPECT_FALSE(users.HostName(101, kSecond).has_value());
  // The links resolve inside the container's root, where there is no such file.
  EXPECT_FALSE(users.ContainerName("c2", 43, 7, kSecond).has_value());
  EXPECT_FALSE(users.ContainerName("c3", 44, 7, kSecond).has_value());
  // The process the container was reached through exits: the names read stand.
  fs::remove_all(dir_ / "proc/42");
  EXPECT_EQ(users.ContainerName("c1", 42, 101, 5 * kSecond).value_or("?"), "nginx");
}

TEST_F(HostUserTest, ContainerCacheIsBounded) {
  UserNamesOptions o;
  o.host_passwd = Write("passwd", "");
  o.proc_root = (dir_ / "proc").string();
  o.max_containers = 2;
  Write("proc/1/root/etc/passwd", "app:x:5:5::/:/bin/sh\n");
  UserNames users(o);
  for (const char* id : {"a", "b", "c"})
    EXPECT_EQ(users.ContainerName(id, 1, 5, kSecond).value_or("?"), "app");
  EXPECT_EQ(users.stats().container_resets, 1u);
}

}  // namespace
}  // namespace vigil::proctree

namespace vigil::proctree {
namespace {

TEST(UpperLayerTest, RootOverlayUpperDirFromMountinfo) {
  const char* docker =
      "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
      "612 540 0:52 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/docker/"
      "overlay2/l/A:/var/lib/docker/overlay2/l/B,upperdir=/var/lib/docker/overlay2/abc\\040x/diff,"
      "workdir=/var/lib/docker/overlay2/abc/work\n"
      "613 612 0:55 / /proc rw - proc proc rw\n";
  EXPECT_EQ(OverlayRootUpperDir(docker), "/var/lib/docker/overlay2/abc x/diff");
  // Root not an overlay; a read-only overlay (no upper); garbage.
  EXPECT_EQ(OverlayRootUpperDir("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"), "");
  EXPECT_EQ(OverlayRootUpperDir("5 1 0:9 / / ro - overlay overlay ro,lowerdir=/a:/b\n"), "");
  EXPECT_EQ(OverlayRootUpperDir("no dash here\n - \n\n"), "");
  // A folder of the host's overlay bind-mounted as the root is not a container layer.
  EXPECT_EQ(
      OverlayRootUpperDir("8 1 0:9 /var/lib/c/rootfs / rw - overlay o rw,upperdir=/u,workdir=/w\n"),
      "");
  // An overlay on another mount point is not the root's.
  EXPECT_EQ(OverlayRootUpperDir("7 1 0:9 / /mnt rw - overlay o rw,upperdir=/u,workdir=/w\n"), "");
}

TEST_F(HostUserTest, ExeInTheUpperLayerResolvedInsideIt) {
  Write("upper/tmp/dropped", "x");
  fs::create_directories(dir_ / "upper/usr");
  // A link the container made: resolved inside the upper dir, never to the host's file.
  Write("hostfile", "x");
  fs::create_symlink(dir_ / "hostfile", dir_ / "upper/usr/bin");
  const std::string upper = (dir_ / "upper").string();
  EXPECT_EQ(ExistsInUpperDir(upper, "/tmp/dropped"), std::optional<bool>(true));
  EXPECT_EQ(ExistsInUpperDir(upper, "/bin/sh"), std::optional<bool>(false));
  EXPECT_EQ(ExistsInUpperDir(upper, "/usr/bin/hostfile"), std::optional<bool>(false));
  EXPECT_EQ(ExistsInUpperDir(upper, "/../hostfile"), std::optional<bool>(false));
  EXPECT_FALSE(ExistsInUpperDir(upper, "relative").has_value());
  EXPECT_FALSE(ExistsInUpperDir("", "/tmp/dropped").has_value());
  // Through a fake /proc: the container's mountinfo names the upper dir, read once.
  Write("proc/9/mountinfo",
        "3 1 0:40 / / rw - overlay overlay rw,lowerdir=/l,upperdir=" + upper + ",workdir=/w\n");
  UpperLayers layers((dir_ / "proc").string());
  EXPECT_EQ(layers.ExeInUpperLayer("c", 9, "/tmp/dropped"), std::optional<bool>(true));
  EXPECT_EQ(layers.ExeInUpperLayer("c", 10, "/bin/sh"), std::optional<bool>(false));
  EXPECT_EQ(layers.stats().mountinfo_reads, 1u);
  // A container whose process is gone before its mounts were read: unknown, asked again later.
  EXPECT_FALSE(layers.ExeInUpperLayer("d", 11, "/bin/sh").has_value());
  EXPECT_EQ(layers.stats().mountinfo_failures, 1u);
}

}  // namespace
}  // namespace vigil::proctree
