#include "proctree/process_tree.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "bpf/entity.h"
#include "proctree/pending_cache.h"

namespace vigil::proctree {
namespace {

constexpr uint64_t kSec = 1'000'000'000ULL;
const std::string kCid = std::string(64, 'c');
const std::string kPod = "8a1f0c3e-2b4d-4e6f-9a8b-7c6d5e4f3a2b";

uint64_t E(uint32_t pid, uint64_t start_ns) {
  return vigil_entity(pid, start_ns);
}

ForkInput Fork(uint32_t pid, uint64_t start, uint32_t ppid, uint64_t parent_start,
               uint64_t ts = 0) {
  ForkInput f;
  f.pid = pid;
  f.ppid = ppid;
  f.start_ns = start;
  f.entity = E(pid, start);
  f.parent_entity = parent_start ? E(ppid, parent_start) : 0;
  f.ts_ns = ts ? ts : start;
  f.comm = "forked";
  return f;
}

ExecInput Exec(uint32_t pid, uint64_t start, std::string_view exe,
               const std::vector<std::string>& argv, uint32_t ppid = 0, uint64_t parent_start = 0) {
  ExecInput e;
  e.pid = pid;
  e.ppid = ppid;
  e.start_ns = start;
  e.entity = E(pid, start);
  e.parent_entity = parent_start ? E(ppid, parent_start) : 0;
  e.ts_ns = start + 1000;
  e.exe = exe;
  size_t slash = exe.rfind('/');
  e.comm = slash == std::string_view::npos ? exe : exe.substr(slash + 1);
  e.args = argv;
  return e;
}

ExitInput Exit(uint32_t pid, uint64_t start, uint64_t ts) {
  ExitInput x;
  x.pid = pid;
  x.start_ns = start;
  x.entity = E(pid, start);
  x.ts_ns = ts;
  return x;
}

// A metadata source answering from tables the test fills, counting the questions.
class FakeSource : public MetadataSource {
 public:
  CgroupPlacement Place(std::string_view text) override {
    return CgroupPlacement{std::string(PrimaryCgroupPath(text)), ContainerFromProcCgroup(text)};
  }
  Result<CgroupPlacement> PlacementOf(uint32_t pid) override {
    ++placement_calls;
    auto it = cgroup_of.find(pid);
    if (it == cgroup_of.end()) return Error{"gone"};
    return Place("0::" + it->second + "\n");
  }
  Result<PodMetadata> PodOf(const ContainerIdentity& c, std::string* runtime) override {
    ++pod_calls;
    auto it = pods.find(c.id);
    if (it == pods.end()) return Error{"no state yet"};
    if (runtime) *runtime = "containerd";
    return it->second;
  }
  Result<ProcessRecord> ReadProcess(uint32_t pid, size_t) override {
    auto it = processes.find(pid);
    if (it == processes.end()) return Error{"gone"};
    return it->second;
  }
  std::map<uint32_t, std::string> cgroup_of;
  std::map<std::string, PodMetadata> pods;
  std::map<uint32_t, ProcessRecord> processes;
  int placement_calls = 0, pod_calls = 0;
};

// A host with pid 1 seeded, so forks below it have a known parent.
class TreeTest : public ::testing::Test {
 protected:
  void SeedInit(ProcessTree& tree) {
    SeedInput s;
    s.pid = 1;
    s.start_ns = 10'000'000;
    s.entity = E(1, s.start_ns);
    s.comm = "systemd";
    s.exe = "/usr/lib/systemd/systemd";
    s.args = "/sbin/init";
    s.cgroup_text = "0::/init.scope\n";
    ASSERT_NE(tree.Seed(s), nullptr);
  }
  static constexpr uint64_t kInitStart = 10'000'000;
};

TEST_F(TreeTest, ForkInheritsAndExecKeepsTheEntity) {
  ProcessTree tree;
  SeedInit(tree);
  const Process* child = tree.OnFork(Fork(100, 5 * kSec, 1, kInitStart));
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->exe.view(), "/usr/lib/systemd/systemd");
  EXPECT_EQ(child->Cmdline(), "/sbin/init");
  EXPECT_EQ(tree.Parent(*child), tree.Lookup(1));

  std::vector<std::string> argv = {"curl", "-s", "http://x/a b"};
  const Process* after = tree.OnExec(Exec(100, 5 * kSec, "/usr/bin/curl", argv, 1, kInitStart));
  EXPECT_EQ(after, child);  // same node, same entity
  EXPECT_EQ(after->entity, E(100, 5 * kSec));
  EXPECT_EQ(after->exe.view(), "/usr/bin/curl");
  EXPECT_EQ(after->comm.view(), "curl");
  ASSERT_EQ(after->ArgList().size(), 3u);
  EXPECT_EQ(after->ArgList()[2], "http://x/a b");
  EXPECT_EQ(after->exec_count, 1u);
  EXPECT_TRUE(after->has(kProcForkSeen) && after->has(kProcExecSeen));
  EXPECT_EQ(tree.AncestorName(*after, 1), "systemd");
  EXPECT_TRUE(tree.ContextComplete(*after));
}

TEST_F(TreeTest, PidReuseGivesANewEntity) {
  ProcessTree tree;
  SeedInit(tree);
  tree.OnFork(Fork(200, 1 * kSec, 1, kInitStart));
  // The exit of the first 200 was lost; a new process gets pid 200.
  const Process* second = tree.OnFork(Fork(200, 9 * kSec, 1, kInitStart));
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second->entity, E(200, 1 * kSec));
  EXPECT_EQ(tree.Lookup(200), second);
  const Process* first = tree.LookupEntity(E(200, 1 * kSec));
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(first->exited());
  EXPECT_TRUE(first->has(kProcExitMissed));
  EXPECT_EQ(tree.stats().pid_reuse, 1u);

  // A late exit of the first one does not touch the second.
  tree.OnExit(Exit(200, 1 * kSec, 9 * kSec));
  EXPECT_EQ(tree.Lookup(200), second);
  EXPECT_FALSE(second->exited());
}

TEST_F(TreeTest, LateEventOfTheOlderProcessDoesNotStealThePid) {
  ProcessTree tree;
  SeedInit(tree);
  tree.OnFork(Fork(300, 9 * kSec, 1, kInitStart));
  // An exec of an older process with the same pid arrives late (it must have exited since).
  tree.OnExec(Exec(300, 2 * kSec, "/bin/old", {"old"}, 1, kInitStart));
  EXPECT_EQ(tree.Lookup(300)->entity, E(300, 9 * kSec));
  EXPECT_TRUE(tree.LookupEntity(E(300, 2 * kSec))->exited());
}

TEST_F(TreeTest, ExecWithoutASeenFork) {
  ProcessTree tree;
  SeedInit(tree);
  const Process* p = tree.OnExec(Exec(400, 3 * kSec, "/bin/sh", {"sh", "-c", "id"}, 1, 0));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(tree.stats().exec_without_fork, 1u);
  EXPECT_EQ(tree.Parent(*p), tree.Lookup(1));       // found through ppid
  EXPECT_EQ(p->cgroup_path.view(), "/init.scope");  // inherited from the parent
  EXPECT_TRUE(tree.ContextComplete(*p));
}

TEST_F(TreeTest, ExitThenLateEventWithinTheGracePeriod) {
  TreeLimits limits;
  limits.exit_grace_ns = 5 * kSec;
  ProcessTree tree(limits);
  SeedInit(tree);
  tree.OnFork(Fork(500, 1 * kSec, 1, kInitStart));
  tree.OnExit(Exit(500, 1 * kSec, 2 * kSec));
  EXPECT_EQ(tree.Lookup(500), nullptr);  // not live any more
  const Process* gone = tree.LookupEntity(E(500, 1 * kSec));
  ASSERT_NE(gone, nullptr);  // but a late event still resolves
  EXPECT_TRUE(gone->exited());
  EXPECT_EQ(tree.Expire(6 * kSec), 0u);
  EXPECT_NE(tree.LookupEntity(E(500, 1 * kSec)), nullptr);
  EXPECT_EQ(tree.Expire(7 * kSec), 1u);
  EXPECT_EQ(tree.LookupEntity(E(500, 1 * kSec)), nullptr);
  EXPECT_EQ(tree.stats().expired, 1u);
}

TEST_F(TreeTest, EventsBeforeTheForkThatCreatedTheProcess) {
  ProcessTree tree;
  SeedInit(tree);
  // exec overtakes fork (different CPUs): the fork must not undo the exec.
  tree.OnExec(Exec(600, 4 * kSec, "/usr/sbin/nginx", {"nginx"}, 1, kInitStart));
  const Process* p = tree.OnFork(Fork(600, 4 * kSec, 1, kInitStart));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->exe.view(), "/usr/sbin/nginx");
  EXPECT_EQ(tree.stats().late_forks, 1u);

  // exit overtakes fork: the late fork fills the image, the process stays exited.
  tree.OnExit(Exit(601, 4 * kSec, 5 * kSec));
  const Process* q = tree.LookupEntity(E(601, 4 * kSec));
  ASSERT_NE(q, nullptr);
  EXPECT_FALSE(tree.ContextComplete(*q));  // nothing but the exit is known
  tree.OnFork(Fork(601, 4 * kSec, 1, kInitStart));
  EXPECT_TRUE(q->exited());
  EXPECT_EQ(tree.Lookup(601), nullptr);
  EXPECT_EQ(q->exe.view(), "/usr/lib/systemd/systemd");
  EXPECT_TRUE(tree.ContextComplete(*q));
}

TEST_F(TreeTest, SyscallEventBeforeTheForkWaitsInThePendingCache) {
  ProcessTree tree;
  SeedInit(tree);
  struct Ev {
    uint64_t entity;
  };
  uint64_t now = 0;
  std::vector<std::pair<uint64_t, bool>> out;
  PendingCache<Ev> pending(
      {.capacity = 8, .max_attempts = 3, .retry_interval_ns = 100}, [&] { return now; },
      [&](Ev& e) {
        const Process* p = tree.LookupEntity(e.entity);
        return p ? tree.ContextOf(*p) : Resolution::kWait;
      },
      [&](Ev&& e, bool complete) { out.emplace_back(e.entity, complete); });
  const uint64_t child = E(700, 6 * kSec);
  ASSERT_EQ(tree.LookupEntity(child), nullptr);
  pending.Add(Ev{child});
  tree.OnFork(Fork(700, 6 * kSec, 1, kInitStart));
  now = 100;
  pending.Poll();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].first, child);
  EXPECT_TRUE(out[0].second);

  // A process whose fork never comes: out incomplete after the bound.
  pending.Add(Ev{E(701, 6 * kSec)});
  for (int i = 0; i < 3; ++i) {
    now += 100;
    pending.Poll();
  }
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[1].second);
  EXPECT_EQ(pending.stats().expired, 1u);
}

TEST_F(TreeTest, DeepChainIsBounded) {
  TreeLimits limits;
  limits.max_lineage_depth = 64;
  ProcessTree tree(limits);
  SeedInit(tree);
  uint32_t ppid = 1;
  uint64_t pstart = kInitStart;
  for (uint32_t pid = 2; pid < 5002; ++pid) {
    uint64_t start = pid * 1000;
    ASSERT_NE(tree.OnFork(Fork(pid, start, ppid, pstart)), nullptr);
    ppid = pid;
    pstart = start;
  }
  const Process* leaf = tree.Lookup(5001);
  ASSERT_NE(leaf, nullptr);
  ProcessTree::Lineage lineage = tree.Ancestors(*leaf);
  EXPECT_EQ(lineage.ancestors.size(), 64u);
  EXPECT_TRUE(lineage.truncated);
  EXPECT_FALSE(lineage.cycle);
  EXPECT_EQ(lineage.ancestors[0]->pid, 5000u);
  EXPECT_EQ(lineage.ancestors[63]->pid, 5001u - 64u);
  EXPECT_EQ(tree.Ancestor(*leaf, 64)->pid, 5001u - 64u);
  EXPECT_EQ(tree.Ancestor(*leaf, 65), nullptr);
  EXPECT_EQ(tree.AncestorName(*leaf, 0), "");

  // A short chain ends at the root, untruncated.
  ProcessTree::Lineage top = tree.Ancestors(*tree.Lookup(3));
  EXPECT_EQ(top.ancestors.size(), 2u);
  EXPECT_FALSE(top.truncated);
  EXPECT_EQ(top.ancestors.back()->pid, 1u);
}

TEST_F(TreeTest, CycleInBadInputTerminates) {
  ProcessTree tree;
  // a's parent is b, b's parent is c, c's parent is a: impossible, but input is input.
  ForkInput a = Fork(10, 1 * kSec, 11, 1 * kSec);
  ForkInput b = Fork(11, 1 * kSec, 12, 1 * kSec);
  ForkInput c = Fork(12, 1 * kSec, 10, 1 * kSec);
  tree.OnFork(a);
  tree.OnFork(b);
  tree.OnFork(c);
  const Process* pa = tree.Lookup(10);
  ASSERT_NE(pa, nullptr);
  ProcessTree::Lineage lineage = tree.Ancestors(*pa);
  EXPECT_TRUE(lineage.cycle);
  EXPECT_EQ(lineage.ancestors.size(), 2u);
  EXPECT_EQ(tree.Ancestor(*pa, 3), nullptr);  // would be a itself
  EXPECT_EQ(tree.AncestorName(*pa, 2), "forked");
  EXPECT_GE(tree.stats().lineage_cycles, 2u);

  // A process naming itself as parent.
  ForkInput self = Fork(20, 1 * kSec, 20, 1 * kSec);
  const Process* ps = tree.OnFork(self);
  ASSERT_NE(ps, nullptr);
  EXPECT_EQ(tree.Parent(*ps), nullptr);
  EXPECT_TRUE(tree.Ancestors(*ps).ancestors.empty());

  // A cycle that does not pass through the start: depth bound ends the walk.
  ForkInput d = Fork(30, 1 * kSec, 10, 1 * kSec);
  const Process* pd = tree.OnFork(d);
  ProcessTree::Lineage dl = tree.Ancestors(*pd);
  EXPECT_TRUE(dl.cycle);
  EXPECT_EQ(dl.ancestors.size(), 3u);
}

TEST_F(TreeTest, LateLinkClosingACycleIsNotCounted) {
  TreeLimits limits;
  limits.exit_grace_ns = 1;
  ProcessTree tree(limits);
  // a appears with no known parent, b is its child; then a late fork claims b is a's parent.
  ForkInput a = Fork(10, 1 * kSec, 0, 0);
  tree.OnExec(Exec(10, 1 * kSec, "/bin/a", {"a"}, 0, 0));
  tree.OnFork(Fork(11, 2 * kSec, 10, 1 * kSec));
  a.ppid = 11;
  a.parent_entity = E(11, 2 * kSec);
  tree.OnFork(a);
  EXPECT_EQ(tree.stats().lineage_cycles, 1u);
  EXPECT_TRUE(tree.Ancestors(*tree.Lookup(10)).cycle);
  // Both exit: neither holds the other forever.
  tree.OnExit(Exit(10, 1 * kSec, 3 * kSec));
  tree.OnExit(Exit(11, 2 * kSec, 4 * kSec));
  tree.Expire(10 * kSec);
  EXPECT_EQ(tree.size(), 0u);
}

TEST_F(TreeTest, CountersAreNamedAndMatchTheStats) {
  ProcessTree tree;
  SeedInit(tree);
  tree.OnFork(Fork(12, 1 * kSec, 1, kInitStart));
  tree.OnExit(Exit(12, 1 * kSec, 2 * kSec));
  tree.OnExit(Exit(13, 1 * kSec, 2 * kSec));
  std::map<std::string, uint64_t> counters;
  ForEachCounter(tree.stats(), [&](const char* name, uint64_t value) {
    EXPECT_TRUE(counters.emplace(name, value).second) << name;
  });
  EXPECT_EQ(counters.size(), 23u);
  EXPECT_EQ(counters.at("forks"), 1u);
  EXPECT_EQ(counters.at("exits"), 2u);
  EXPECT_EQ(counters.at("exit_unknown"), 1u);
  EXPECT_EQ(counters.at("seeded"), 1u);
}

TEST_F(TreeTest, ProcessLimitEvictsExitedFirstThenRefuses) {
  TreeLimits limits;
  limits.max_processes = 4;
  limits.max_exited = 10;
  ProcessTree tree(limits);
  SeedInit(tree);
  tree.OnFork(Fork(2, 1 * kSec, 1, kInitStart));
  tree.OnFork(Fork(3, 1 * kSec, 1, kInitStart));
  tree.OnFork(Fork(4, 1 * kSec, 1, kInitStart));
  tree.OnExit(Exit(2, 1 * kSec, 2 * kSec));
  EXPECT_EQ(tree.size(), 4u);
  // Room is made by evicting the exited process early.
  ASSERT_NE(tree.OnFork(Fork(5, 3 * kSec, 1, kInitStart)), nullptr);
  EXPECT_EQ(tree.stats().evicted_exited, 1u);
  EXPECT_EQ(tree.LookupEntity(E(2, 1 * kSec)), nullptr);
  // All live now: a new process cannot be tracked, and that is counted.
  EXPECT_EQ(tree.OnFork(Fork(6, 3 * kSec, 1, kInitStart)), nullptr);
  EXPECT_EQ(tree.stats().refused_full, 1u);
  EXPECT_EQ(tree.size(), 4u);
}

TEST_F(TreeTest, ExitedLruIsBounded) {
  TreeLimits limits;
  limits.max_exited = 3;
  ProcessTree tree(limits);
  SeedInit(tree);
  for (uint32_t pid = 2; pid < 12; ++pid) {
    tree.OnFork(Fork(pid, pid * kSec, 1, kInitStart));
    tree.OnExit(Exit(pid, pid * kSec, pid * kSec + 1));
  }
  EXPECT_EQ(tree.exited_in_lru(), 3u);
  EXPECT_EQ(tree.stats().evicted_exited, 7u);
  EXPECT_EQ(tree.size(), 4u);
  EXPECT_NE(tree.LookupEntity(E(11, 11 * kSec)), nullptr);  // the newest stay
  EXPECT_EQ(tree.LookupEntity(E(2, 2 * kSec)), nullptr);
}

TEST_F(TreeTest, ArgumentsAndStringsAreBounded) {
  TreeLimits limits;
  limits.max_args_bytes = 16;
  limits.max_string_bytes = 32;
  ProcessTree tree(limits);
  SeedInit(tree);
  std::vector<std::string> argv = {"python3", "-c", "print('a very long program text')"};
  std::string long_exe = "/opt/" + std::string(100, 'x');
  const Process* p = tree.OnExec(Exec(50, 1 * kSec, long_exe, argv, 1, kInitStart));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->args.view().size(), 16u);
  EXPECT_EQ(p->args.view(), std::string_view("python3\0-c\0print", 16));
  EXPECT_TRUE(p->has(kProcArgsTruncated));
  EXPECT_EQ(tree.stats().args_truncated, 1u);
  EXPECT_EQ(p->exe.view().size(), 32u);
  EXPECT_GE(tree.string_stats().truncated, 1u);

  // Short args after a long one clear the flag; the kernel's own truncation sets it.
  const std::vector<std::string> ls = {"ls"};  // the input only views its strings
  ExecInput short_exec = Exec(50, 1 * kSec, "/bin/ls", ls, 1, kInitStart);
  tree.OnExec(short_exec);
  EXPECT_FALSE(p->has(kProcArgsTruncated));
  short_exec.args_truncated = true;
  tree.OnExec(short_exec);
  EXPECT_TRUE(p->has(kProcArgsTruncated));
}

TEST_F(TreeTest, HostileStringsAreKeptVerbatim) {
  ProcessTree tree;
  SeedInit(tree);
  std::vector<std::string> argv = {"a\nb", std::string("\0", 1), "\xff\xfe", "\x1b[31m"};
  ExecInput e = Exec(60, 1 * kSec, "/tmp/\n\x7f", argv, 1, kInitStart);
  e.comm = "x\ny";
  const Process* p = tree.OnExec(e);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->comm.view(), "x\ny");
  EXPECT_EQ(p->exe.view(), "/tmp/\n\x7f");
  // An empty argument or one holding NUL reads back as separators: argv is NUL-joined.
  EXPECT_EQ(p->ArgList().size(), 5u);
}

TEST_F(TreeTest, StringsAreSharedAndFreed) {
  TreeLimits limits;
  limits.exit_grace_ns = 1;
  ProcessTree tree(limits);
  SeedInit(tree);
  for (uint32_t pid = 2; pid < 102; ++pid) {
    tree.OnFork(Fork(pid, pid * kSec, 1, kInitStart));
    tree.OnExec(Exec(pid, pid * kSec, "/usr/bin/sleep", {"sleep", "1"}, 1, kInitStart));
  }
  const uint64_t shared = tree.string_stats().entries;
  EXPECT_LT(shared, 10u);  // one copy of each text for 100 processes
  for (uint32_t pid = 2; pid < 102; ++pid) tree.OnExit(Exit(pid, pid * kSec, 200 * kSec));
  tree.Expire(300 * kSec);
  EXPECT_EQ(tree.size(), 1u);
  EXPECT_LT(tree.string_stats().entries, shared);
}

TEST_F(TreeTest, ExitedParentIsHeldWhileItsChildLives) {
  TreeLimits limits;
  limits.exit_grace_ns = 1 * kSec;
  ProcessTree tree(limits);
  SeedInit(tree);
  tree.OnFork(Fork(70, 1 * kSec, 1, kInitStart));
  tree.OnExec(Exec(70, 1 * kSec, "/bin/bash", {"bash"}, 1, kInitStart));
  tree.OnFork(Fork(71, 2 * kSec, 70, 1 * kSec));  // `nohup x &` then the shell exits
  tree.OnExit(Exit(70, 1 * kSec, 3 * kSec));
  tree.Expire(100 * kSec);
  const Process* child = tree.Lookup(71);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(tree.AncestorName(*child, 1), "bash");  // lineage still known
  tree.OnExit(Exit(71, 2 * kSec, 101 * kSec));
  tree.Expire(103 * kSec);
  EXPECT_EQ(tree.LookupEntity(E(71, 2 * kSec)), nullptr);
  tree.Expire(104 * kSec);
  EXPECT_EQ(tree.LookupEntity(E(70, 1 * kSec)), nullptr);
  EXPECT_EQ(tree.size(), 1u);
}

TEST_F(TreeTest, LateChildOfAnExitedParentHoldsItsLineageAgain) {
  TreeLimits limits;
  limits.exit_grace_ns = 1 * kSec;
  ProcessTree tree(limits);
  SeedInit(tree);
  tree.OnFork(Fork(80, 1 * kSec, 1, kInitStart));
  tree.OnExec(Exec(80, 1 * kSec, "/bin/bash", {"bash"}, 1, kInitStart));
  tree.OnFork(Fork(81, 2 * kSec, 80, 1 * kSec));
  tree.OnExec(Exec(81, 2 * kSec, "/bin/make", {"make"}, 80, 1 * kSec));
  tree.OnExit(Exit(81, 2 * kSec, 3 * kSec));
  tree.OnExit(Exit(80, 1 * kSec, 3 * kSec));  // both in the grace-period LRU now
  // The exec of a grandchild whose fork was lost arrives late, naming 81 as its parent.
  tree.OnExec(Exec(82, 2 * kSec + 5, "/usr/bin/cc", {"cc"}, 81, 2 * kSec));
  tree.Expire(100 * kSec);
  const Process* cc = tree.Lookup(82);
  ASSERT_NE(cc, nullptr);
  EXPECT_EQ(tree.AncestorName(*cc, 1), "make");
  EXPECT_EQ(tree.AncestorName(*cc, 2), "bash");
  EXPECT_EQ(tree.AncestorName(*cc, 3), "systemd");
  tree.OnExit(Exit(82, 2 * kSec + 5, 101 * kSec));
  tree.Expire(200 * kSec);
  EXPECT_EQ(tree.size(), 1u);  // all released in the end
}

// FIELD-LESSONS 5: nginx workers are forked, never exec'ed, and must carry the pod.
TEST_F(TreeTest, ForkedChildInheritsContainerAndLatePodMetadata) {
  FakeSource source;
  ProcessTree tree(TreeLimits{}, &source);
  SeedInit(tree);
  const std::string cgroup = "/kubepods/besteffort/pod" + kPod + "/" + kCid;
  // runc init: forked on the host, moved into the container cgroup, then exec's nginx.
  tree.OnFork(Fork(800, 1 * kSec, 1, kInitStart));
  source.cgroup_of[800] = cgroup;
  const std::vector<std::string> nginx = {"nginx"};
  ExecInput exec = Exec(800, 1 * kSec, "/usr/sbin/nginx", nginx, 1, kInitStart);
  exec.cgroup_id = 4242;
  const Process* master = tree.OnExec(exec);
  ASSERT_NE(master, nullptr);
  ASSERT_NE(master->container, nullptr);
  EXPECT_EQ(master->container->identity.id, kCid);
  EXPECT_EQ(master->container->identity.pod_uid, kPod);
  EXPECT_EQ(master->cgroup_path.view(), cgroup);
  EXPECT_FALSE(tree.ContextComplete(*master));  // the pod's config.json is not there yet

  // Worker forked before the metadata arrives: same container at once, no exec needed.
  const Process* worker = tree.OnFork(Fork(801, 2 * kSec, 800, 1 * kSec));
  ASSERT_NE(worker, nullptr);
  EXPECT_EQ(worker->container, master->container);
  EXPECT_EQ(worker->exe.view(), "/usr/sbin/nginx");
  EXPECT_FALSE(tree.ContextComplete(*worker));

  // The runtime writes its state; the retry of the worker's event fills the shared record.
  PodMetadata pod;
  pod.pod_name = "web-0";
  pod.pod_namespace = "shop";
  source.pods[kCid] = pod;
  EXPECT_EQ(tree.RefreshContext(worker->entity), Resolution::kWait);  // one lookup per tick
  tree.Expire(5 * kSec);                                              // the timer ticks
  EXPECT_EQ(tree.RefreshContext(worker->entity), Resolution::kComplete);
  EXPECT_EQ(worker->container->pod.pod_name, "web-0");
  EXPECT_EQ(worker->container->identity.runtime, "containerd");
  EXPECT_TRUE(tree.ContextComplete(*master));

  // A worker forked afterwards is complete immediately, without asking the source again.
  int calls = source.pod_calls + source.placement_calls;
  const Process* late = tree.OnFork(Fork(802, 3 * kSec, 800, 1 * kSec));
  EXPECT_TRUE(tree.ContextComplete(*late));
  EXPECT_EQ(late->container->pod.pod_namespace, "shop");
  EXPECT_EQ(source.pod_calls + source.placement_calls, calls);
}

// A pod whose runtime never writes pod annotations: lookups are paced by the timer, and after
// max_pod_lookups ticks its events stop waiting and go out incomplete at once.
TEST_F(TreeTest, PodMetadataSearchGivesUpAfterTheBound) {
  FakeSource source;
  TreeLimits limits;
  limits.max_pod_lookups = 3;
  ProcessTree tree(limits, &source);
  SeedInit(tree);
  source.cgroup_of[810] = "/kubepods/burstable/pod" + kPod + "/" + kCid;
  tree.OnFork(Fork(810, 1 * kSec, 1, kInitStart));
  const std::vector<std::string> argv = {"app"};
  ExecInput exec = Exec(810, 1 * kSec, "/app", argv, 1, kInitStart);
  exec.cgroup_id = 99;
  const Process* p = tree.OnExec(exec);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(source.pod_calls, 1);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(tree.RefreshContext(p->entity), Resolution::kWait);
  EXPECT_EQ(source.pod_calls, 1);  // many waiting events, one lookup per tick
  tree.Expire(2 * kSec);
  EXPECT_EQ(tree.RefreshContext(p->entity), Resolution::kWait);
  tree.Expire(3 * kSec);
  EXPECT_EQ(tree.RefreshContext(p->entity), Resolution::kIncomplete);
  EXPECT_EQ(source.pod_calls, 3);
  EXPECT_EQ(tree.stats().pod_gave_up, 1u);
  EXPECT_EQ(tree.ContextOf(*p), Resolution::kIncomplete);
  tree.Expire(4 * kSec);
  tree.RefreshContext(p->entity);
  EXPECT_EQ(source.pod_calls, 3);  // no more lookups

  // The pending cache emits such an event at its next retry, incomplete, counted as gave_up.
  uint64_t now = 0;
  std::vector<bool> out;
  PendingCache<uint64_t> pending(
      {.capacity = 4, .max_attempts = 5, .retry_interval_ns = 1}, [&] { return now; },
      [&](uint64_t& entity) { return tree.RefreshContext(entity); },
      [&](uint64_t&&, bool complete) { out.push_back(complete); });
  pending.Add(p->entity);
  now = 1;
  pending.Poll();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0]);
  EXPECT_EQ(pending.stats().gave_up, 1u);
}

TEST_F(TreeTest, ExecInTheSameCgroupDoesNotReadPlacementAgain) {
  FakeSource source;
  ProcessTree tree(TreeLimits{}, &source);
  SeedInit(tree);
  source.cgroup_of[900] = "/system.slice/docker-" + kCid + ".scope";
  tree.OnFork(Fork(900, 1 * kSec, 1, kInitStart));
  const std::vector<std::string> sh = {"sh"};
  ExecInput e = Exec(900, 1 * kSec, "/bin/sh", sh, 1, kInitStart);
  e.cgroup_id = 77;
  tree.OnExec(e);
  EXPECT_EQ(source.placement_calls, 1);
  e.exe = "/bin/ls";
  tree.OnExec(e);
  EXPECT_EQ(source.placement_calls, 1);
  const Process* p = tree.Lookup(900);
  EXPECT_EQ(p->container->identity.runtime, "docker");
  EXPECT_TRUE(tree.ContextComplete(*p));  // docker outside a pod: nothing more to wait for

  // A vanished process: placement unknown, context incomplete, counted.
  tree.OnExec(Exec(901, 1 * kSec, "/bin/true", {"true"}, 0, 0));
  const Process* q = tree.Lookup(901);
  EXPECT_TRUE(q->has(kProcPlacementUnknown));
  EXPECT_FALSE(tree.ContextComplete(*q));
  EXPECT_GE(tree.stats().placement_failures, 1u);
}

// The fork of a process was lost (ring buffer full): a later event's retry rebuilds it from /proc,
// but only when /proc still shows the same process (same entity).
TEST_F(TreeTest, ProcessWhoseEventsWereLostIsRecoveredFromProc) {
  FakeSource source;
  ProcessTree tree(TreeLimits{}, &source);
  SeedInit(tree);
  ProcessRecord record;
  record.snapshot.stat.pid = 950;
  record.snapshot.stat.ppid = 1;
  record.snapshot.stat.comm = "sshd";
  record.snapshot.exe = "/usr/sbin/sshd";
  record.snapshot.args = std::string("sshd\0-D", 7);
  record.snapshot.cgroup = "0::/system.slice/ssh.service\n";
  record.start_ns = 12 * kSec;
  record.entity = E(950, 12 * kSec);
  source.processes[950] = record;

  // Without the pid there is nothing to read.
  EXPECT_EQ(tree.RefreshContext(E(950, 12 * kSec)), Resolution::kWait);
  EXPECT_EQ(tree.RefreshContext(E(950, 12 * kSec), 950), Resolution::kComplete);
  const Process* p = tree.LookupEntity(E(950, 12 * kSec));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->exe.view(), "/usr/sbin/sshd");
  EXPECT_EQ(p->Cmdline(), "sshd -D");
  EXPECT_EQ(tree.Parent(*p), tree.Lookup(1));
  EXPECT_EQ(p->cgroup_path.view(), "/system.slice/ssh.service");
  EXPECT_EQ(tree.stats().recovered, 1u);
  EXPECT_EQ(tree.stats().seeded, 1u);  // pid 1 only

  // The pid now belongs to another process: the event's process is gone, not recovered.
  EXPECT_EQ(tree.RefreshContext(E(950, 3 * kSec), 950), Resolution::kWait);
  EXPECT_EQ(tree.LookupEntity(E(950, 3 * kSec)), nullptr);
  EXPECT_EQ(tree.stats().recover_failures, 1u);
}

TEST_F(TreeTest, SeededParentLearnsItsCgroupIdFromAChild) {
  FakeSource source;
  ProcessTree tree(TreeLimits{}, &source);
  SeedInit(tree);  // cgroup /init.scope, id unknown (/proc gives paths)
  const std::vector<std::string> argv = {"true"};
  for (uint32_t pid = 20; pid < 25; ++pid) {
    source.cgroup_of[pid] = "/init.scope";
    tree.OnFork(Fork(pid, pid * kSec, 1, kInitStart));
    ExecInput e = Exec(pid, pid * kSec, "/bin/true", argv, 1, kInitStart);
    e.cgroup_id = 555;
    tree.OnExec(e);
  }
  EXPECT_EQ(source.placement_calls, 1);  // the first child only
  EXPECT_EQ(tree.Lookup(1)->cgroup_id, 555u);
  EXPECT_EQ(tree.Lookup(24)->cgroup_path.view(), "/init.scope");
}

TEST_F(TreeTest, SeedAfterEventsKeepsTheNewerView) {
  ProcessTree tree;
  SeedInit(tree);
  tree.OnExec(Exec(1000, 1 * kSec, "/bin/new", {"new"}, 1, kInitStart));
  SeedInput s;
  s.pid = 1000;
  s.start_ns = 1 * kSec;
  s.entity = E(1000, 1 * kSec);
  s.comm = "old";
  s.exe = "/bin/old";
  tree.Seed(s);
  EXPECT_EQ(tree.Lookup(1000)->exe.view(), "/bin/new");
}

TEST_F(TreeTest, EntityComputedWhenTheInputHasNone) {
  ProcessTree tree;
  ForkInput f = Fork(42, 7 * kSec, 0, 0);
  f.entity = 0;
  const Process* p = tree.OnFork(f);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->entity, vigil_entity(42, 7 * kSec));
}

// The start-up reconcile: /proc read again after the attach. A process no event told of is added;
// a seeded one that exec'd meanwhile gets its new image, unless an exec event of it is still to
// be delivered or an event already told of its image (events win over /proc).
TEST_F(TreeTest, ReconcileAddsMissedProcessesAndFixesMissedExecs) {
  ProcessTree tree;
  SeedInit(tree);
  auto seed = [](uint32_t pid, uint64_t start, std::string_view exe) {
    SeedInput s;
    s.pid = pid;
    s.ppid = 1;
    s.start_ns = start;
    s.entity = E(pid, start);
    s.parent_entity = E(1, kInitStart);
    s.exe = exe;
    s.comm = exe.substr(exe.rfind('/') + 1);
    s.args = exe;
    s.cgroup_text = "0::/init.scope\n";
    return s;
  };
  ASSERT_NE(tree.Seed(seed(20, 2 * kSec, "/usr/bin/old")), nullptr);
  ASSERT_NE(tree.Seed(seed(21, 2 * kSec, "/usr/bin/old")), nullptr);
  ASSERT_NE(tree.Seed(seed(22, 2 * kSec, "/usr/bin/old")), nullptr);
  const std::vector<std::string> argv = {"/usr/bin/live"};
  ASSERT_NE(tree.OnExec(Exec(22, 2 * kSec, "/usr/bin/live", argv, 1, kInitStart)), nullptr);

  tree.Reconcile(seed(20, 2 * kSec, "/usr/bin/new"), false);    // exec'd before the attach
  tree.Reconcile(seed(21, 2 * kSec, "/usr/bin/new"), true);     // its exec event is on its way
  tree.Reconcile(seed(22, 2 * kSec, "/usr/bin/new"), false);    // an event said otherwise
  tree.Reconcile(seed(23, 3 * kSec, "/usr/bin/fresh"), false);  // started before the attach
  tree.Reconcile(seed(20, 2 * kSec, "/usr/bin/new"), false);    // nothing left to change
  EXPECT_EQ(tree.Lookup(20)->exe.view(), "/usr/bin/new");
  EXPECT_EQ(tree.Lookup(20)->comm.view(), "new");
  EXPECT_EQ(tree.Lookup(21)->exe.view(), "/usr/bin/old");
  EXPECT_EQ(tree.Lookup(22)->exe.view(), "/usr/bin/live");
  ASSERT_NE(tree.Lookup(23), nullptr);
  EXPECT_EQ(tree.Lookup(23)->exe.view(), "/usr/bin/fresh");
  EXPECT_EQ(tree.Lookup(23)->parent_entity, E(1, kInitStart));
  EXPECT_EQ(tree.stats().reconciled_added, 1u);
  EXPECT_EQ(tree.stats().reconciled_images, 1u);
}

}  // namespace
}  // namespace vigil::proctree

namespace vigil::proctree {
namespace {

// A container outside any pod (standalone runc, docker): the spec's image and privileges are
// kept for its processes even though no pod metadata will ever come.
TEST(TreeSpecTest, ContainerOutsideAPodKeepsItsSpec) {
  FakeSource source;
  PodMetadata spec;
  spec.image = "alpine:3";
  spec.spec_read = true;
  spec.privileged = true;
  spec.host_namespaces = {"net"};
  const std::string cid(64, 'c');
  source.pods[cid] = spec;
  ProcessTree tree(TreeLimits{}, &source);
  SeedInput s;
  s.pid = 50;
  s.start_ns = 5'000'000;
  s.comm = "sh";
  s.exe = "/bin/sh";
  const std::string cgroup = "0::/system.slice/docker-" + cid + ".scope\n";
  s.cgroup_text = cgroup;
  const Process* p = tree.Seed(s);
  ASSERT_NE(p, nullptr);
  ASSERT_NE(p->container, nullptr);
  EXPECT_EQ(p->container->pod.image, "alpine:3");
  EXPECT_TRUE(p->container->pod.privileged);
  EXPECT_EQ(p->container->pod.host_namespaces, std::vector<std::string>{"net"});
  EXPECT_TRUE(tree.ContextComplete(*p));
}

// vpid, cwd and the terminal: from the exec event, from /proc at seed time, inherited at fork.
TEST(TreeSpecTest, VpidCwdAndTerminal) {
  ProcessTree tree;
  SeedInput s;
  s.pid = 1;
  s.start_ns = 10'000'000;
  s.comm = "bash";
  s.exe = "/bin/bash";
  s.cwd = "/root";
  s.vpid = 1;
  s.tty_dev = (136 << 8) | 3;  // pts/3
  const Process* seeded = tree.Seed(s);
  ASSERT_NE(seeded, nullptr);
  EXPECT_EQ(seeded->cwd.view(), "/root");
  EXPECT_EQ(seeded->tty.view(), "pts/3");
  EXPECT_EQ(seeded->tty_dev, (136u << 8) | 3);
  EXPECT_EQ(seeded->vpid, 1u);
  ForkInput f;
  f.pid = 900;
  f.ppid = 1;
  f.start_ns = 20'000'000;
  f.parent_entity = seeded->entity;
  const Process* child = tree.OnFork(f);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->cwd.view(), "/root");
  EXPECT_EQ(child->tty.view(), "pts/3");
  EXPECT_EQ(child->vpid, 0u);  // a fork says nothing of the child's namespace
  ExecInput e;
  e.pid = 900;
  e.ppid = 1;
  e.start_ns = 20'000'000;
  e.comm = "cat";
  e.exe = "/bin/cat";
  e.cwd = "/tmp";
  e.vpid = 12;
  e.tty = "pts/3";
  e.tty_dev = (136u << 8) | 3;
  const Process* execd = tree.OnExec(e);
  ASSERT_NE(execd, nullptr);
  EXPECT_EQ(execd->cwd.view(), "/tmp");
  EXPECT_EQ(execd->vpid, 12u);
}

}  // namespace
}  // namespace vigil::proctree
