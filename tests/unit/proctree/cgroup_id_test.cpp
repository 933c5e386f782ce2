// The cgroup id a placement carries is the one the kernel reports: the inode of the cgroup's
// directory under the cgroup2 mount found in mountinfo. Seeded processes learn it, so the exec
// events of their short-lived children match it without a /proc read.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "proctree/metadata_source.h"
#include "proctree/process_tree.h"

namespace vigil::proctree {
namespace {

namespace fs = std::filesystem;

struct FakeHost {
  FakeHost() {
    char tmpl[] = "/tmp/vigil-cgid-XXXXXX";
    root = ::mkdtemp(tmpl);
    fs::create_directories(root + "/proc/self");
    fs::create_directories(root + "/cgroup2/system.slice/ssh.service");
    std::ofstream(root + "/proc/self/mountinfo")
        << "25 30 0:23 / /proc rw - proc proc rw\n"
        << "41 31 0:38 / " << root << "/cgroup2 rw,relatime - cgroup2 cgroup2 rw\n";
  }
  ~FakeHost() { fs::remove_all(root); }
  uint64_t Inode(const std::string& rel) {
    struct stat st;
    return ::stat((root + rel).c_str(), &st) == 0 ? st.st_ino : 0;
  }
  std::string root;
};

TEST(CgroupId, PlacementCarriesTheUnifiedHierarchyInode) {
  FakeHost host;
  ProcMetadataSource source(host.root + "/proc");
  CgroupPlacement p = source.Place("12:pids:/system.slice/ssh.service\n0::/system.slice/ssh.service\n");
  EXPECT_EQ(p.cgroup_id, host.Inode("/cgroup2/system.slice/ssh.service"));
  EXPECT_NE(p.cgroup_id, 0u);
  EXPECT_EQ(source.Place("12:pids:/x\n").cgroup_id, 0u);       // no unified line
  EXPECT_EQ(source.Place("0::/no/such/cgroup\n").cgroup_id, 0u);  // not there (any more)
}

TEST(CgroupId, APlacementIsFoundFromTheIdAlone) {
  FakeHost host;
  fs::create_directories(host.root + "/cgroup2/kubepods/besteffort/pod1234/" + std::string(64, 'a'));
  ProcMetadataSource source(host.root + "/proc");
  const std::string rel = "/kubepods/besteffort/pod1234/" + std::string(64, 'a');
  auto placement = source.PlacementOfCgroup(host.Inode("/cgroup2" + rel));
  ASSERT_TRUE(placement) << placement.error();
  EXPECT_EQ(placement->path, rel);
  EXPECT_EQ(placement->container.id, std::string(64, 'a'));
  EXPECT_FALSE(source.PlacementOfCgroup(987654321));  // no such cgroup
  EXPECT_FALSE(source.PlacementOfCgroup(0));
}

TEST(CgroupId, ChildrenOfSeededProcessesNeedNoProcRead) {
  FakeHost host;
  ProcMetadataSource source(host.root + "/proc");
  ProcessTree tree({}, &source);
  const uint64_t id = host.Inode("/cgroup2/system.slice/ssh.service");
  SeedInput seed;
  seed.pid = 100;
  seed.ppid = 1;
  seed.start_ns = 1'000'000'000;
  seed.comm = "bash";
  seed.exe = "/usr/bin/bash";
  seed.cgroup_text = "0::/system.slice/ssh.service\n";
  const Process* parent = tree.Seed(seed);
  ASSERT_TRUE(parent);
  EXPECT_EQ(parent->cgroup_id, id);
  ForkInput fork;
  fork.pid = 101;
  fork.ppid = 100;
  fork.parent_entity = parent->entity;
  fork.start_ns = 2'000'000'000;
  fork.ts_ns = 2'000'000'000;
  fork.comm = "bash";
  ASSERT_TRUE(tree.OnFork(fork));
  // The child execs and exits at once: /proc/101 never existed in this fake host, so a placement
  // read would fail. With the learnt id the exec is "same cgroup" and the context complete.
  ExecInput exec;
  exec.pid = 101;
  exec.ppid = 100;
  exec.parent_entity = parent->entity;
  exec.start_ns = 2'000'000'000;
  exec.ts_ns = 2'000'100'000;
  exec.comm = "cat";
  exec.exe = "/usr/bin/cat";
  exec.cgroup_id = id;
  const Process* child = tree.OnExec(exec);
  ASSERT_TRUE(child);
  EXPECT_EQ(tree.ContextOf(*child), Resolution::kComplete);
  EXPECT_EQ(tree.stats().placement_failures, 0u);
}

}  // namespace
}  // namespace vigil::proctree
