// Unit tests of the agent's runtime pieces: policy file permissions, the file watcher (plain
// writes, rename-over saves, Kubernetes ..data swaps) and the control socket.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/control_socket.h"
#include "agent/instance_lock.h"
#include "agent/kill_guard.h"
#include "agent/policy_files.h"
#include "agent/policy_watcher.h"
#include "agent/reloader.h"

namespace vigil::agent {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// A scratch directory removed at the end of the test, even when it fails.
class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/vigil-agent-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
    ::chmod(path_.c_str(), 0755);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(PolicyPermissions, AcceptsRootOwnedPrivateFiles) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to create root-owned files";
  ScratchDir dir;
  WriteFile(dir / "ok.vgl", "list x = [a]\n");
  ::chmod((dir / "ok.vgl").c_str(), 0644);
  EXPECT_TRUE(CheckPolicyPermissions({dir / "ok.vgl"}).empty());
}

TEST(PolicyPermissions, RejectsWorldWritableAndForeignOwned) {
  ScratchDir dir;
  WriteFile(dir / "open.vgl", "");
  ::chmod((dir / "open.vgl").c_str(), 0666);
  auto problems = CheckPolicyPermissions({dir / "open.vgl"}, ::geteuid());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].reason.find("writable by others"), std::string::npos);
  if (::geteuid() == 0) {
    WriteFile(dir / "theirs.vgl", "");
    ::chmod((dir / "theirs.vgl").c_str(), 0644);
    ASSERT_EQ(::chown((dir / "theirs.vgl").c_str(), 65534, 65534), 0);
    problems = CheckPolicyPermissions({dir / "theirs.vgl"});
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].reason.find("owned by uid 65534"), std::string::npos);
  }
}

TEST(PolicyPermissions, RejectsGroupWritableDirectory) {
  ScratchDir dir;
  fs::create_directory(dir / "rules");
  ::chmod((dir / "rules").c_str(), 0775);
  WriteFile(dir / "rules/a.vgl", "");
  ::chmod((dir / "rules/a.vgl").c_str(), 0644);
  auto problems = CheckPolicyPermissions({dir / "rules/a.vgl"}, ::geteuid());
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].path, dir / "rules");
}

// The kubelet's ConfigMap volume: an emptyDir root made 0777, a timestamped directory 0755 with
// the files, `..data` and the visible links (pkg/volume/util/atomic_writer.go).
void MakeKubeletLayout(const std::string& root) {
  const std::string ts = "..2025_01_02_03_04_05.987654321";
  fs::create_directory(root + "/" + ts);
  ::chmod((root + "/" + ts).c_str(), 0755);
  WriteFile(root + "/" + ts + "/a.vgl", "list a = [x]\n");
  ::chmod((root + "/" + ts + "/a.vgl").c_str(), 0644);
  fs::create_directory_symlink(ts, root + "/..data");
  fs::create_symlink("..data/a.vgl", root + "/a.vgl");
  ::chmod(root.c_str(), 0777);
}

// A read-only bind mount of `source` at `target`, unmounted at the end of the test.
class ReadOnlyBind {
 public:
  ReadOnlyBind(const std::string& source, const std::string& target) : target_(target) {
    ok_ = ::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) == 0;
    if (ok_ &&
        ::mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      ::umount2(target.c_str(), MNT_DETACH);
      ok_ = false;
    }
  }
  ~ReadOnlyBind() {
    if (ok_) ::umount2(target_.c_str(), MNT_DETACH);
  }
  bool ok() const { return ok_; }

 private:
  std::string target_;
  bool ok_ = false;
};

TEST(PolicyPermissions, AcceptsReadOnlyKubeletConfigMapVolume) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for root-owned files and a bind mount";
  ScratchDir dir;
  fs::create_directory(dir / "node");
  fs::create_directory(dir / "pod");
  MakeKubeletLayout(dir / "node");
  ReadOnlyBind mount(dir / "node", dir / "pod");
  if (!mount.ok()) GTEST_SKIP() << "cannot bind mount: " << std::strerror(errno);
  auto problems = CheckPolicyPermissions({dir / "pod/a.vgl"});
  EXPECT_TRUE(problems.empty()) << problems[0].path << " " << problems[0].reason;
}

// The same layout writable (the node's side of the volume, or a copy): still refused.
TEST(PolicyPermissions, RefusesWritableKubeletLayout) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for root-owned files";
  ScratchDir dir;
  fs::create_directory(dir / "node");
  MakeKubeletLayout(dir / "node");
  auto problems = CheckPolicyPermissions({dir / "node/a.vgl"});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, dir / "node");
  EXPECT_NE(problems[0].reason.find("writable by others (mode 0777)"), std::string::npos);
}

// A read-only 0777 directory without the layout, or whose `..data` someone else owns: refused.
TEST(PolicyPermissions, RefusesReadOnlyDirectoryWithoutTheLayout) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for root-owned files and a bind mount";
  ScratchDir dir;
  fs::create_directory(dir / "plain");
  fs::create_directory(dir / "plain_ro");
  WriteFile(dir / "plain/a.vgl", "list a = [x]\n");
  ::chmod((dir / "plain/a.vgl").c_str(), 0644);
  ::chmod((dir / "plain").c_str(), 0777);
  fs::create_directory(dir / "node");
  fs::create_directory(dir / "pod");
  MakeKubeletLayout(dir / "node");
  ASSERT_EQ(::lchown((dir / "node/..data").c_str(), 65534, 65534), 0);
  ReadOnlyBind plain(dir / "plain", dir / "plain_ro");
  ReadOnlyBind pod(dir / "node", dir / "pod");
  if (!plain.ok() || !pod.ok()) GTEST_SKIP() << "cannot bind mount: " << std::strerror(errno);
  auto problems = CheckPolicyPermissions({dir / "plain_ro/a.vgl"});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, dir / "plain_ro");
  problems = CheckPolicyPermissions({dir / "pod/a.vgl"});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, dir / "pod");
}

TEST(PolicyWatcher, SeesPlainWrites) {
  ScratchDir dir;
  WriteFile(dir / "a.vgl", "v1");
  PolicyWatcher w({dir / "a.vgl"});
  ASSERT_TRUE(w.Start());
  EXPECT_FALSE(w.WaitForChange(milliseconds(50)));
  WriteFile(dir / "a.vgl", "v2");
  EXPECT_TRUE(w.WaitForChange(milliseconds(2000), milliseconds(50)));
}

// A policy file written in place, in two parts with a pause, is reported once, when its writer
// closes it: never between the parts (a reload would load half a file).
TEST(PolicyWatcher, WaitsForAWriterToCloseTheFile) {
  ScratchDir dir;
  WriteFile(dir / "a.vgl", "list x = [a]\n");
  PolicyWatcher w({dir / "a.vgl"});
  ASSERT_TRUE(w.Start());
  int fd = ::open((dir / "a.vgl").c_str(), O_WRONLY | O_TRUNC);
  ASSERT_GE(fd, 0);
  const std::string first = "rule r {\n", second = "}\n";
  ASSERT_EQ(::write(fd, first.data(), first.size()), static_cast<ssize_t>(first.size()));
  EXPECT_FALSE(w.WaitForChange(milliseconds(400), milliseconds(50)));
  EXPECT_EQ(w.files_being_written(), 1u);
  ASSERT_EQ(::write(fd, second.data(), second.size()), static_cast<ssize_t>(second.size()));
  EXPECT_FALSE(w.WaitForChange(milliseconds(200), milliseconds(50)));
  ::close(fd);
  EXPECT_TRUE(w.WaitForChange(milliseconds(2000), milliseconds(50)));
  EXPECT_EQ(w.files_being_written(), 0u);
  EXPECT_EQ(w.changes_seen(), 1u);
}

TEST(PolicyWatcher, StopsWaitingForAWriterThatNeverCloses) {
  ScratchDir dir;
  WriteFile(dir / "a.vgl", "list x = [a]\n");
  PolicyWatcher w({dir / "a.vgl"}, WatchTiming{milliseconds(50), milliseconds(300)});
  ASSERT_TRUE(w.Start());
  int fd = ::open((dir / "a.vgl").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "#\n", 2), 2);
  auto start = std::chrono::steady_clock::now();
  bool changed = false;
  while (!changed && std::chrono::steady_clock::now() - start < std::chrono::seconds(3)) {
    changed = w.Poll(std::chrono::steady_clock::now());
    std::this_thread::sleep_for(milliseconds(10));
  }
  ::close(fd);
  EXPECT_TRUE(changed);
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(300));
}

TEST(PolicyWatcher, IgnoresOtherFilesInTheSameDirectory) {
  ScratchDir dir;
  WriteFile(dir / "a.vgl", "v1");
  PolicyWatcher w({dir / "a.vgl"});
  ASSERT_TRUE(w.Start());
  WriteFile(dir / "unrelated.txt", "x");
  EXPECT_FALSE(w.WaitForChange(milliseconds(200), milliseconds(50)));
}

TEST(PolicyWatcher, SeesEditorRenameOverSave) {
  ScratchDir dir;
  WriteFile(dir / "a.vgl", "v1");
  PolicyWatcher w({dir / "a.vgl"});
  ASSERT_TRUE(w.Start());
  WriteFile(dir / ".a.vgl.swp", "v2");
  fs::rename(dir / ".a.vgl.swp", dir / "a.vgl");
  EXPECT_TRUE(w.WaitForChange(milliseconds(2000), milliseconds(50)));
  // The watch survives the replacement: the next save is seen too.
  WriteFile(dir / "a.vgl.tmp", "v3");
  fs::rename(dir / "a.vgl.tmp", dir / "a.vgl");
  EXPECT_TRUE(w.WaitForChange(milliseconds(2000), milliseconds(50)));
  EXPECT_EQ(w.changes_seen(), 2u);
}

TEST(PolicyWatcher, SeesNewFilesInWatchedDirectories) {
  ScratchDir dir;
  fs::create_directories(dir / "rules/sub");
  WriteFile(dir / "rules/a.vgl", "v1");
  PolicyWatcher w({dir / "rules"});
  ASSERT_TRUE(w.Start());
  WriteFile(dir / "rules/sub/new.vgl", "v1");
  EXPECT_TRUE(w.WaitForChange(milliseconds(2000), milliseconds(50)));
  fs::create_directories(dir / "rules/sub/deeper");
  EXPECT_TRUE(w.WaitForChange(milliseconds(2000), milliseconds(50)));
  WriteFile(dir / "rules/sub/deeper/b.vgl", "v1");
  EXPECT_TRUE(w.WaitForChange(milliseconds(2000), milliseconds(50)));
}

// How the kubelet updates a ConfigMap volume: files are symlinks through `..data`, which is
// itself a symlink to a timestamped directory; an update writes a new directory and renames a
// new `..data` symlink over the old one.
TEST(PolicyWatcher, SeesKubernetesConfigMapSwap) {
  ScratchDir dir;
  fs::create_directory(dir / "..2026_11_25_v1");
  WriteFile(dir / "..2026_11_25_v1/policy.vgl", "v1");
  fs::create_directory_symlink("..2026_11_25_v1", dir / "..data");
  fs::create_symlink("..data/policy.vgl", dir / "policy.vgl");
  PolicyWatcher w({dir / "policy.vgl"});
  ASSERT_TRUE(w.Start());
  fs::create_directory(dir / "..2026_11_25_v2");
  WriteFile(dir / "..2026_11_25_v2/policy.vgl", "v2");
  fs::create_directory_symlink("..2026_11_25_v2", dir / "..data_tmp");
  fs::rename(dir / "..data_tmp", dir / "..data");
  EXPECT_TRUE(w.WaitForChange(milliseconds(2000), milliseconds(50)));
}

TEST(ControlSocket, AnswersRequestsAndRejectsGarbage) {
  ScratchDir dir;
  std::string path = dir / "ctl.sock";
  ControlServer server(path, [](const nlohmann::json& req) {
    return nlohmann::json{{"ok", true}, {"echo", req.value("command", "")}};
  });
  ASSERT_TRUE(server.Start());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto reply = ControlRequest(path, {{"command", "status"}});
  ASSERT_TRUE(reply) << reply.error();
  EXPECT_EQ((*reply)["echo"], "status");
  // A second server on the same live socket refuses to start.
  ControlServer second(path, [](const nlohmann::json&) { return nlohmann::json{}; });
  EXPECT_FALSE(second.Start());
  server.Stop();
  EXPECT_FALSE(fs::exists(path));
  auto unreachable = ControlRequest(path, {{"command", "status"}});
  ASSERT_FALSE(unreachable);
  EXPECT_NE(unreachable.error().find("cannot reach the agent"), std::string::npos);
}

TEST(ControlSocket, ReplacesAStaleSocketFile) {
  ScratchDir dir;
  std::string path = dir / "ctl.sock";
  {
    ControlServer killed(path, [](const nlohmann::json&) { return nlohmann::json{}; });
    ASSERT_TRUE(killed.Start());
    // Simulate kill -9: the socket file stays behind with nobody listening.
    WriteFile(dir / "marker", "");
  }
  // ~ControlServer unlinked it; recreate a dead socket file by hand.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);
  ControlServer fresh(path, [](const nlohmann::json&) { return nlohmann::json{{"ok", true}}; });
  EXPECT_TRUE(fresh.Start());
}

constexpr const char* kGoodV1 = R"(
rule r { desc "d" severity low tags [t] on exec when proc.name == "a" }
test r { alert exec { proc.name: "a" } }
policy p { rules [tag:t] }
)";
constexpr const char* kGoodV2 = R"(
rule r { desc "d" severity low tags [t] on exec when proc.name == "b" }
test r { alert exec { proc.name: "b" } }
policy p { rules [tag:t] }
policy q { scope uid >= 1000 rules [r] }
)";
constexpr const char* kBroken = R"(
rule r { desc "d" severity low tags [t] on exec when proc.nmae == "b" }
policy p { rules [tag:t] }
)";

TEST(Reloader, KeepsTheRunningSetWhenTheNewOneHasErrors) {
  ScratchDir dir;
  WriteFile(dir / "p.vgl", kGoodV1);
  std::vector<uint32_t> activated;
  Reloader reloader({dir / "p.vgl"}, /*check_permissions=*/false,
                    [&](std::shared_ptr<const lang::Program> program, uint32_t version) {
                      EXPECT_TRUE(program);
                      activated.push_back(version);
                      return OkStatus();
                    });
  auto first = reloader.Reload("start");
  ASSERT_TRUE(first.ok);
  EXPECT_EQ(first.version, 1u);

  WriteFile(dir / "p.vgl", kBroken);
  auto bad = reloader.Reload("file change");
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.version, 1u);  // still the first set
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_NE(bad.errors[0].find("p.vgl:2:54: error[V002]"), std::string::npos) << bad.errors[0];
  EXPECT_EQ(reloader.active()->rules.at("r")->when->rhs.text, "a");

  WriteFile(dir / "p.vgl", kGoodV2);
  auto good = reloader.Reload("SIGHUP");
  EXPECT_TRUE(good.ok);
  EXPECT_EQ(good.version, 2u);
  EXPECT_EQ(activated, (std::vector<uint32_t>{1, 2}));

  auto status = reloader.Status();
  EXPECT_EQ(status["version"], 2);
  EXPECT_EQ(status["policies"].size(), 2u);
  EXPECT_EQ(status["reloads"]["failed"], 1);
  EXPECT_EQ(status["last_failure"]["trigger"], "file change");
}

TEST(Reloader, AnActivationFailureKeepsTheOldVersion) {
  ScratchDir dir;
  WriteFile(dir / "p.vgl", kGoodV1);
  bool fail = false;
  Reloader reloader({dir / "p.vgl"}, false, [&](std::shared_ptr<const lang::Program>, uint32_t) {
    return fail ? Status(Error{"kernel map full"}) : OkStatus();
  });
  ASSERT_TRUE(reloader.Reload("start").ok);
  fail = true;
  auto out = reloader.Reload("control socket");
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.version, 1u);
  EXPECT_EQ(out.errors, std::vector<std::string>{"kernel map full"});
}

// `vigil run --disable-rule/--disable-tag`: the rules are off at every load; a name or tag that
// matches no rule refuses the load, and the running set stays.
TEST(Reloader, DisabledRulesStayOffAndUnknownNamesRefuseTheLoad) {
  ScratchDir dir;
  WriteFile(dir / "p.vgl", R"(
rule r { desc "d" severity low tags [t] on exec when proc.name == "a" }
rule s { desc "d" severity low tags [t, noisy] on exec when proc.name == "b" }
rule u { desc "d" severity low tags [t] on exec when proc.name == "c" }
policy p { rules [tag:t] }
)");
  Reloader reloader({dir / "p.vgl"}, false,
                    [](std::shared_ptr<const lang::Program>, uint32_t) { return OkStatus(); });
  reloader.SetDisabledRules(lang::RuleSelection{{"u"}, {"noisy"}});
  auto first = reloader.Reload("start");
  ASSERT_TRUE(first.ok) << (first.errors.empty() ? "" : first.errors[0]);
  auto status = reloader.Status();
  ASSERT_EQ(status["policies"].size(), 1u);
  EXPECT_EQ(status["policies"][0]["rules"], nlohmann::json::array({"r"}));
  ASSERT_TRUE(reloader.Reload("SIGHUP").ok);  // and again at a reload
  EXPECT_EQ(reloader.Status()["policies"][0]["rules"], nlohmann::json::array({"r"}));

  reloader.SetDisabledRules(lang::RuleSelection{{"uu"}, {"nosiy"}});
  auto bad = reloader.Reload("SIGHUP");
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.version, 2u);
  EXPECT_EQ(bad.errors,
            (std::vector<std::string>{"--disable-rule uu: no loaded rule has this name",
                                      "--disable-tag nosiy: no loaded rule has this tag"}));
}

TEST(Reloader, RefusesInsecureFilesWhenAskedToCheck) {
  ScratchDir dir;
  WriteFile(dir / "p.vgl", kGoodV1);
  ::chmod((dir / "p.vgl").c_str(), 0666);
  Reloader reloader({dir / "p.vgl"}, true,
                    [](std::shared_ptr<const lang::Program>, uint32_t) { return OkStatus(); });
  auto out = reloader.Reload("start");
  EXPECT_FALSE(out.ok);
  ASSERT_FALSE(out.errors.empty());
  EXPECT_NE(out.errors[0].find("--allow-insecure-perms"), std::string::npos);
}

TEST(InstanceLock, SecondAgentRefusedWithThePidOfTheFirst) {
  ScratchDir dir;
  const std::string path = InstanceLockPath(dir / "run/vigil.sock");
  auto first = InstanceLock::Acquire(path);
  ASSERT_TRUE(first) << first.error();
  auto second = InstanceLock::Acquire(path);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("pid " + std::to_string(::getpid())), std::string::npos)
      << second.error();
  EXPECT_NE(second.error().find(path), std::string::npos) << second.error();
}

TEST(InstanceLock, ReleasedOnDestructionAndAfterACrash) {
  ScratchDir dir;
  const std::string path = dir / "vigil.sock.lock";
  { ASSERT_TRUE(InstanceLock::Acquire(path)); }
  // A holder that dies without cleaning up (SIGKILL) leaves the file, but not the lock.
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto held = InstanceLock::Acquire(path);
    char c = held ? 1 : 0;
    [[maybe_unused]] ssize_t n = ::write(ready[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ::close(ready[1]);
  ASSERT_EQ(c, 1);
  EXPECT_FALSE(InstanceLock::Acquire(path));  // held by the live child
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ASSERT_TRUE(fs::exists(path));
  auto after = InstanceLock::Acquire(path);
  EXPECT_TRUE(after) << after.error();
}

// A fake /proc with the stat lines the guard reads.
void WriteStat(const ScratchDir& proc, int pid, const std::string& comm, int ppid, uint64_t flags) {
  fs::create_directories(proc / std::to_string(pid));
  WriteFile(proc / (std::to_string(pid) + "/stat"),
            std::to_string(pid) + " (" + comm + ") S " + std::to_string(ppid) + " 1 1 0 -1 " +
                std::to_string(flags) + " 0 0 0 0 1 2 3 4 20 0 1 0 100\n");
}

TEST(KillGuard, ProtectsVigilItsAncestorsInitKernelThreadsAndListedExecutables) {
  ScratchDir proc;
  WriteStat(proc, 500, "worker", 400, 0x400000);
  WriteStat(proc, 2, "kthreadd", 0, 0x00208040);  // PF_KTHREAD
  WriteStat(proc, 77, "kworker/0:1 (x)", 2, 0x04208060);
  KillGuard guard(300, {200, 1}, {"/usr/sbin/sshd"}, proc.path());
  EXPECT_EQ(guard.WhyProtected(300, "/usr/bin/vigil"), "it is vigil itself");
  EXPECT_EQ(guard.WhyProtected(200, "/bin/bash"), "it is an ancestor of vigil");
  EXPECT_EQ(guard.WhyProtected(1, "/sbin/init"), "it is PID 1");
  EXPECT_EQ(guard.WhyProtected(77, ""), "it is a kernel thread");
  EXPECT_EQ(guard.WhyProtected(500, "/usr/sbin/sshd"),
            "its executable /usr/sbin/sshd is protected (--protect)");
  EXPECT_FALSE(guard.WhyProtected(500, "/usr/bin/cat"));
  EXPECT_FALSE(guard.WhyProtected(501, ""));  // gone: nothing to protect
  EXPECT_EQ(guard.tgids(), (std::vector<uint32_t>{300, 1, 200}));
}

TEST(KillGuard, ReadsTheAncestorsOfThisProcess) {
  KillGuard guard = KillGuard::ForThisProcess({});
  EXPECT_EQ(guard.WhyProtected(::getpid(), ""), "it is vigil itself");
  EXPECT_EQ(guard.WhyProtected(::getppid(), ""), "it is an ancestor of vigil");
  auto st = ReadProcStat("/proc", ::getpid());
  ASSERT_TRUE(st);
  EXPECT_EQ(st->ppid, ::getppid());
  EXPECT_FALSE(st->kernel_thread);
}

}  // namespace
}  // namespace vigil::agent
