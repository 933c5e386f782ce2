#include "proctree/proc_seeder.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bpf/entity.h"

namespace vigil::proctree {
namespace {

namespace fs = std::filesystem;

// An independent reading of /proc/PID/stat's starttime (field 22) with sscanf, to check the
// seeder's parser and hash against a second implementation of the reading.
uint64_t StartTicksOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  unsigned long long start = 0;
  int matched = std::sscanf(text.c_str() + close + 2,
                            "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
                            "%*d %*d %*d %llu",
                            &start);
  return matched == 1 ? start : 0;
}

uint64_t BoottimeNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

TEST(ProcSeederTest, FindsThisProcessItsParentAndAChild) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  // Let the child leave fork() so its /proc entry is complete (its comm is ours either way).
  for (int i = 0; i < 1000 && StartTicksOf(child) == 0; ++i) ::usleep(1000);

  ProcessTree tree;
  Result<SeedReport> report = SeedFromProc(tree);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ASSERT_TRUE(report) << report.error();
  EXPECT_GT(report->seeded, 1u);
  EXPECT_EQ(report->listed,
            report->seeded + report->vanished + report->unreadable + report->refused);

  const uint32_t self = static_cast<uint32_t>(::getpid());
  const uint32_t parent = static_cast<uint32_t>(::getppid());
  const Process* me = tree.Lookup(self);
  ASSERT_NE(me, nullptr);
  ASSERT_EQ(sysconf(_SC_CLK_TCK), 100) << "entity.h assumes USER_HZ 100";
  EXPECT_EQ(me->entity, vigil_entity_from_ticks(self, StartTicksOf(static_cast<pid_t>(self))));
  EXPECT_EQ(me->ppid, parent);
  EXPECT_TRUE(me->has(kProcSeeded));
  EXPECT_FALSE(me->exe.empty());
  EXPECT_EQ(me->ArgList().size() > 0, true);
  // Start times are CLOCK_BOOTTIME: in the past, and not before this test binary was started.
  EXPECT_LE(me->start_ns, BoottimeNowNs());
  EXPECT_GT(me->start_ns + 600'000'000'000ULL, BoottimeNowNs());

  const Process* up = tree.Parent(*me);
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->pid, parent);
  EXPECT_EQ(up->entity, vigil_entity_from_ticks(parent, StartTicksOf(static_cast<pid_t>(parent))));
  EXPECT_EQ(tree.Lookup(parent), up);
  EXPECT_EQ(tree.AncestorName(*me, 1), up->comm.view());

  const Process* kid = tree.Lookup(static_cast<uint32_t>(child));
  ASSERT_NE(kid, nullptr);
  EXPECT_EQ(tree.Parent(*kid), me);
  EXPECT_EQ(kid->comm.view(), me->comm.view());

  // The chain up from this process ends at a root without a cycle.
  ProcessTree::Lineage lineage = tree.Ancestors(*me);
  EXPECT_FALSE(lineage.cycle);
  EXPECT_FALSE(lineage.truncated);
  ASSERT_FALSE(lineage.ancestors.empty());
  EXPECT_EQ(lineage.ancestors.front(), up);
}

TEST(ProcSeederTest, RestrictedPidOneDoesNotStopSeeding) {
  // On this machine parts of /proc/1 are unreadable even as root; elsewhere pid 1 is plain.
  ProcessTree tree;
  Result<SeedReport> report = SeedFromProc(tree);
  ASSERT_TRUE(report) << report.error();
  const Process* init = tree.Lookup(1);
  if (init) {
    EXPECT_EQ(init->ppid, 0u);
    EXPECT_EQ(tree.Parent(*init), nullptr);
  } else {
    EXPECT_GT(report->unreadable + report->vanished, 0u);
  }
  EXPECT_NE(tree.Lookup(static_cast<uint32_t>(::getpid())), nullptr);
}

TEST(ProcRecoverTest, ThisProcessIsRebuiltFromTheRealProc) {
  ProcMetadataSource source;
  ProcessTree tree(TreeLimits{}, &source);
  const uint32_t self = static_cast<uint32_t>(::getpid());
  const uint64_t entity = vigil_entity_from_ticks(self, StartTicksOf(static_cast<pid_t>(self)));
  EXPECT_EQ(tree.RefreshContext(entity, self), Resolution::kComplete);
  const Process* me = tree.Lookup(self);
  ASSERT_NE(me, nullptr);
  EXPECT_EQ(me->entity, entity);
  EXPECT_EQ(me->ppid, static_cast<uint32_t>(::getppid()));
  EXPECT_FALSE(me->exe.empty());
  EXPECT_EQ(tree.stats().recovered, 1u);
  // A wrong start time is another process: not recovered.
  EXPECT_EQ(tree.RefreshContext(entity ^ 1, self), Resolution::kWait);
  EXPECT_EQ(tree.stats().recover_failures, 1u);
}

class FakeProcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("vigil-fake-proc-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) {
    fs::path path = root_ / rel;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
  static std::string Stat(uint32_t pid, const std::string& comm, uint32_t ppid, uint64_t start) {
    return std::to_string(pid) + " (" + comm + ") S " + std::to_string(ppid) +
           " 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 " + std::to_string(start) + " 0 0\n";
  }
  fs::path root_;
};

TEST_F(FakeProcTest, HostileEntriesAreKeptOrCounted) {
  Write("1/stat", Stat(1, "init", 0, 1));
  Write("1/cmdline", std::string("/sbin/init\0splash\0", 18));
  Write("1/cgroup", "0::/init.scope\n");
  Write("300/stat", Stat(300, "evil) S 1 (x\nnl", 1, 500));
  Write("300/cmdline", std::string("sh\0-c\0echo \xff\n\0", 14));
  Write("300/cgroup", "0::/system.slice/docker-" + std::string(64, 'a') + ".scope\n");
  Write("301/stat", "301 (broken");            // not parseable: unreadable
  fs::create_directories(root_ / "302/stat");  // read fails with EISDIR: unreadable
  fs::create_directories(root_ / "303");       // no stat: vanished
  Write("304/stat", "");                       // emptied by an exit mid-read: vanished
  Write("305/stat", Stat(305, "orphan", 9999, 700));
  fs::create_directories(root_ / "self");
  fs::create_directories(root_ / "sys");

  ProcessTree tree;
  SeedOptions options;
  options.proc_root = root_.string();
  options.ticks_per_second = 100;
  Result<SeedReport> report = SeedFromProc(tree, options);
  ASSERT_TRUE(report) << report.error();
  EXPECT_EQ(report->listed, 7u);
  EXPECT_EQ(report->seeded, 3u);
  EXPECT_EQ(report->unreadable, 2u);
  EXPECT_EQ(report->vanished, 2u);
  EXPECT_EQ(report->parents_unknown, 1u);
  EXPECT_EQ(report->partial, 3u);  // no exe links in a fake tree

  const Process* evil = tree.Lookup(300);
  ASSERT_NE(evil, nullptr);
  EXPECT_EQ(evil->comm.view(), "evil) S 1 (x\nnl");
  EXPECT_EQ(evil->entity, vigil_entity_from_ticks(300, 500));
  EXPECT_EQ(evil->start_ns, 5'000'000'000ULL);
  ASSERT_EQ(evil->ArgList().size(), 3u);
  EXPECT_EQ(evil->ArgList()[2], "echo \xff\n");
  ASSERT_NE(evil->container, nullptr);
  EXPECT_EQ(evil->container->identity.runtime, "docker");
  EXPECT_EQ(tree.Parent(*evil), tree.Lookup(1));
  EXPECT_EQ(tree.Lookup(1)->Cmdline(), "/sbin/init splash");
  EXPECT_EQ(tree.Lookup(1)->cgroup_path.view(), "/init.scope");

  const Process* orphan = tree.Lookup(305);
  ASSERT_NE(orphan, nullptr);
  EXPECT_EQ(tree.Parent(*orphan), nullptr);
  EXPECT_TRUE(orphan->has(kProcPlacementUnknown));  // its cgroup file was missing
}

TEST_F(FakeProcTest, MissingRootIsAnError) {
  ProcessTree tree;
  SeedOptions options;
  options.proc_root = (root_ / "nope").string();
  EXPECT_FALSE(SeedFromProc(tree, options));
}

TEST_F(FakeProcTest, OtherClockTickRateGivesTheBpfEntity) {
  // With 250 ticks/s, start 500 ticks = 2 s since boot; the BPF side hashes 2 s in its own tick.
  Write("42/stat", Stat(42, "x", 0, 500));
  ProcessTree tree;
  SeedOptions options;
  options.proc_root = root_.string();
  options.ticks_per_second = 250;
  ASSERT_TRUE(SeedFromProc(tree, options));
  const Process* p = tree.Lookup(42);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->entity, vigil_entity(42, 2'000'000'000ULL));
}

}  // namespace
}  // namespace vigil::proctree
