// Scope filtering in the kernel, proven by counts: what is out of scope never reaches user space
// while the kernel's filtered counter rises; every filter kind (uid, gid, pid, comm, binary,
// mntns, pidns, uts, cgroup, container, new) selects exactly its processes; follow keeps renamed
// and exec'd descendants; and scope decisions survive a proc_info map far smaller than the
// process count.
#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "trace_harness.h"

#ifndef VIGIL_STORM_HELPER
#error "VIGIL_STORM_HELPER must name the storm helper executable"
#endif

namespace vigil::e2e {
namespace {

using nlohmann::json;

// Runs `sh -c script` through a symlink called `name`, so the process's comm is `name`.
pid_t RunShellNamed(const TempDir& dir, const std::string& name, const std::string& script) {
  const std::string link = dir / name;
  symlink("/bin/sh", link.c_str());
  return Spawn([&] {
    execl(link.c_str(), name.c_str(), "-c", script.c_str(), nullptr);
    return 127;
  });
}

size_t CountFrom(const TraceProcess& trace, pid_t pid) {
  size_t n = 0;
  for (const auto& r : trace.events())
    if (r.event["proc"].value("pid", 0) == pid) ++n;
  return n;
}

constexpr size_t kOpens = 50;

// Opens `path`, which does not exist, kOpens times: kOpens open events that name it. Returns 0
// when every open failed as expected (an exit status).
int OpenMany(const std::string& path) {
  for (size_t i = 0; i < kOpens; ++i)
    if (open(path.c_str(), O_RDONLY) >= 0) return 1;
  return 0;
}

// How many open events of `pid` name `path`; each of them is checked field by field (a failed
// openat of a missing file, by a process of uid 0 and group `gid`, selected by policy 0).
size_t OpensOf(const TraceProcess& trace, pid_t pid, const std::string& path, uint32_t gid = 0) {
  size_t n = 0;
  for (const auto& r : trace.events()) {
    const json& e = r.event;
    if (e["evt"].value("type", "") != "open" || e["proc"].value("pid", 0) != pid ||
        e["kernel"]["args"].value("path", "") != path)
      continue;
    ++n;
    EXPECT_EQ(e["proc"]["tid"], pid) << e.dump();
    EXPECT_EQ(e["proc"]["uid"], 0) << e.dump();
    EXPECT_EQ(e["proc"]["gid"], gid) << e.dump();
    EXPECT_EQ(e["kernel"]["syscall"], "openat") << e.dump();
    EXPECT_EQ(e["kernel"]["args"]["flags"], O_RDONLY) << e.dump();
    EXPECT_EQ(e["evt"]["retval"], -ENOENT) << e.dump();
    EXPECT_EQ(e["policies"], 1) << e.dump();
  }
  return n;
}

// Waits for the exit events of `pids` (delivered after all their other events), then stops.
void StopAfterExits(TraceProcess& trace, std::initializer_list<pid_t> pids) {
  for (pid_t pid : pids) EXPECT_FALSE(trace.WaitFor(Is("exit", pid)).is_null()) << pid;
  trace.Stop();
}

TEST(KernelScope, OutOfScopeEventsNeverReachUserSpace) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  TraceProcess trace({"--events", "open,exec,exit", "--scope", "comm in [vigil-e2e-x]"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  const std::string opens = "i=0; while [ $i -lt 200 ]; do exec 3</etc/hostname; i=$((i+1)); done";
  ChildGuard other(RunShellNamed(dir, "vigil-e2e-y", opens));
  ASSERT_EQ(other.Wait(), 0);
  ChildGuard in_scope(RunShellNamed(dir, "vigil-e2e-x", opens));
  ASSERT_EQ(in_scope.Wait(), 0);
  ASSERT_FALSE(trace.WaitFor(Is("exit", in_scope.pid())).is_null()) << trace.stderr_text();
  trace.Stop();
  // In scope: its 200 opens arrive. Out of scope: nothing, yet the kernel saw and dropped them.
  size_t opens_in_scope = 0;
  for (const auto& r : trace.events()) {
    const json& e = r.event;
    if (e["evt"]["type"] == "open" && e["proc"]["pid"] == in_scope.pid() &&
        e["kernel"]["args"]["path"] == "/etc/hostname")
      ++opens_in_scope;
    EXPECT_EQ(e["kernel"]["comm"], "vigil-e2e-x") << e.dump();
  }
  EXPECT_EQ(opens_in_scope, 200u);
  EXPECT_EQ(CountFrom(trace, other.pid()), 0u);
  EXPECT_GE(trace.stats()["filtered"], 200u) << trace.stderr_text();
}

TEST(KernelScope, FollowDeliversDescendantsWithOtherNames) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  TraceProcess trace({"--events", "exec,open", "--scope", "comm in [vigil-e2e-x] follow"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  ChildGuard parent(RunShellNamed(dir, "vigil-e2e-x", "/bin/cat /etc/hostname >/dev/null; true"));
  ASSERT_EQ(parent.Wait(), 0);
  json cat = trace.WaitFor([&](const json& e) {
    return e["evt"]["type"] == "exec" && e["kernel"]["comm"] == "cat" &&
           e["proc"]["ppid"] == parent.pid();
  });
  ASSERT_FALSE(cat.is_null()) << trace.stderr_text();
  EXPECT_EQ(cat["policies"], 1);
  json open = trace.WaitFor([&](const json& e) {
    return e["evt"]["type"] == "open" && e["proc"]["pid"] == cat["proc"]["pid"] &&
           e["kernel"]["args"]["path"] == "/etc/hostname";
  });
  EXPECT_FALSE(open.is_null());
  trace.Stop();
}

// A followed program that execs another one (an `exec` wrapper) stays followed: the new image is
// in scope wherever the old one was. Without `follow`, the scope is the new image's own.
TEST(KernelScope, FollowSurvivesAnExecOfAnotherProgram) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  TraceProcess followed({"--events", "exec,open", "--scope", "comm in [vigil-e2e-w] follow"});
  TraceProcess plain({"--events", "exec,open", "--scope", "comm in [vigil-e2e-w]"});
  ASSERT_TRUE(followed.WaitReady()) << followed.stderr_text();
  ASSERT_TRUE(plain.WaitReady()) << plain.stderr_text();
  ChildGuard wrapper(RunShellNamed(dir, "vigil-e2e-w", "exec /bin/cat /etc/hostname"));
  ASSERT_EQ(wrapper.Wait(), 0);
  auto cat_open = [&](const json& e) {
    return e["evt"]["type"] == "open" && e["proc"]["pid"] == wrapper.pid() &&
           e["kernel"]["comm"] == "cat" && e["kernel"]["args"]["path"] == "/etc/hostname";
  };
  json open = followed.WaitFor(cat_open);
  EXPECT_FALSE(open.is_null()) << followed.stderr_text();
  json exec = plain.WaitFor(Is("exec", wrapper.pid()));  // the wrapper's own exec is in scope
  EXPECT_FALSE(exec.is_null()) << plain.stderr_text();
  followed.Stop();
  plain.Stop();
  for (const auto& r : plain.events()) EXPECT_FALSE(cat_open(r.event)) << r.event.dump();
}

// `binary` needs each process's executable hashed; for processes that started before the load
// that happens on their first event, in the scratch ring buffer (2 KiB each). Two waves of such
// processes, each within the buffer's 1 MiB but together beyond it, must all be judged by their
// real executable: user space frees the buffer as it goes (before, it never did, and the buffer
// was full for good after about 30 processes).
TEST(KernelScope, BinaryJudgesManyProcessesStartedBeforeTheLoad) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  char self[PATH_MAX];
  ASSERT_NE(realpath("/proc/self/exe", self), nullptr);
  constexpr int kWave = 300, kWaves = 2;
  Gate gate;
  // Wave w waits for the file go-w (checked with access, which no program traces).
  std::vector<std::unique_ptr<ChildGuard>> children;
  for (int i = 0; i < kWave * kWaves; ++i) {
    const std::string path = dir / ("old-" + std::to_string(i));
    const std::string go = dir / ("go-" + std::to_string(i / kWave));
    children.push_back(std::make_unique<ChildGuard>(Spawn([&gate, path, go] {
      gate.Pass();
      while (access(go.c_str(), F_OK) != 0) usleep(10000);
      return open(path.c_str(), O_RDONLY) < 0 ? 0 : 1;
    })));
  }
  TraceProcess trace(
      {"--events", "open,exit", "--scope", std::string("binary in [\"") + self + "\"]"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  gate.Open();
  for (int w = 0; w < kWaves; ++w) {
    const std::string go = dir / ("go-" + std::to_string(w));
    close(open(go.c_str(), O_CREAT | O_WRONLY, 0644));
    for (int i = w * kWave; i < (w + 1) * kWave; ++i) ASSERT_EQ(children[i]->Wait(), 0);
    for (int i = w * kWave; i < (w + 1) * kWave; ++i)
      ASSERT_FALSE(trace.WaitFor(Is("exit", children[i]->pid())).is_null())
          << "wave " << w << ", process " << i << "\n"
          << trace.stderr_text();
  }
  trace.Stop();
  size_t delivered = 0;
  for (int i = 0; i < kWave * kWaves; ++i) {
    const std::string path = dir / ("old-" + std::to_string(i));
    for (const auto& r : trace.events())
      if (r.event["evt"]["type"] == "open" && r.event["proc"]["pid"] == children[i]->pid() &&
          r.event["kernel"]["args"]["path"] == path)
        ++delivered;
  }
  EXPECT_EQ(delivered, static_cast<size_t>(kWave * kWaves));
  EXPECT_EQ(trace.stats()["exe_hash_failures"], 0u) << trace.stderr_text();
}

TEST(KernelScope, FollowIsPerFilterAndOtherFiltersStillApply) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  Gate gate;
  // The parent has the followed name before the trace starts (a rename alone does not make the
  // kernel re-evaluate a scope; its first event does, on the proc_info miss).
  ChildGuard parent(Spawn([&] {
    prctl(PR_SET_NAME, "vigil-e2e-par");
    gate.Tell(getpid());
    gate.Pass();
    // The child inherits the comm filter of its parent, whatever its own name, but passes
    // uid == 0 only as long as its own uid is 0.
    const pid_t child = Spawn([&] {
      prctl(PR_SET_NAME, "vigil-e2e-kid");
      if (OpenMany(dir / "child-as-root") != 0) return 1;
      if (setuid(65534) != 0) return 2;
      return OpenMany(dir / "child-as-nobody");
    });
    gate.Tell(child);
    const int rc = OpenMany(dir / "parent");
    const int status = WaitExit(child);
    return rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ? 1 : 0;
  }));
  // Not a descendant of the followed process, with the same uid: never in scope.
  ChildGuard stranger(Spawn([&] {
    prctl(PR_SET_NAME, "vigil-e2e-kid");
    gate.Pass();
    return OpenMany(dir / "stranger");
  }));
  int64_t value = 0;
  ASSERT_TRUE(gate.Hear(&value));
  TraceProcess trace(
      {"--events", "open,exit", "--scope", "comm in [vigil-e2e-par] follow and uid == 0"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  gate.Open();
  ASSERT_TRUE(gate.Hear(&value));
  const pid_t child = static_cast<pid_t>(value);
  ASSERT_EQ(parent.Wait(), 0);
  ASSERT_EQ(stranger.Wait(), 0);
  StopAfterExits(trace, {parent.pid()});

  EXPECT_EQ(OpensOf(trace, parent.pid(), dir / "parent"), kOpens);
  EXPECT_EQ(OpensOf(trace, child, dir / "child-as-root"), kOpens);
  size_t child_events = 0;
  for (const auto& r : trace.events()) {
    const json& e = r.event;
    if (e["proc"].value("pid", 0) != child) continue;
    ++child_events;
    EXPECT_EQ(e["kernel"]["comm"], "vigil-e2e-kid") << e.dump();
    EXPECT_EQ(e["proc"]["uid"], 0) << e.dump();  // nothing once it left uid 0, not even its exit
    EXPECT_NE(e["kernel"]["args"].value("path", ""), dir / "child-as-nobody") << e.dump();
  }
  EXPECT_GE(child_events, kOpens);
  EXPECT_EQ(CountFrom(trace, stranger.pid()), 0u);
  EXPECT_GE(trace.stats()["filtered"], 2 * kOpens) << trace.stderr_text();
}

TEST(KernelScope, BinaryMatchesTheExecutablePath) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  const std::string file = dir / "touched";
  char touch[PATH_MAX];
  ASSERT_NE(realpath("/bin/touch", touch), nullptr);
  TraceProcess trace(
      {"--events", "exec,open", "--scope", std::string("binary in [\"") + touch + "\"]"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  ChildGuard toucher(Spawn([&] {
    execl("/bin/touch", "touch", file.c_str(), nullptr);
    return 127;
  }));
  ASSERT_EQ(toucher.Wait(), 0);
  ChildGuard reader(Spawn([&] {
    execl("/bin/cat", "cat", file.c_str(), nullptr);
    return 127;
  }));
  ASSERT_EQ(reader.Wait(), 0);
  json exec = trace.WaitFor(Is("exec", toucher.pid()));
  ASSERT_FALSE(exec.is_null()) << trace.stderr_text();
  EXPECT_EQ(exec["kernel"]["exe"], touch);
  json open = trace.WaitFor([&](const json& e) {
    return e["evt"]["type"] == "open" && e["proc"]["pid"] == toucher.pid() &&
           e["kernel"]["args"]["path"] == file;
  });
  EXPECT_FALSE(open.is_null());
  trace.Stop();
  EXPECT_EQ(CountFrom(trace, reader.pid()), 0u);
}

TEST(KernelScope, UidChangeRecomputesTheScope) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  const std::string before = dir / "before-setuid";
  const std::string after = dir / "after-setuid";
  TraceProcess trace({"--events", "open", "--scope", "uid in [65534]"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  ChildGuard child(Spawn([&] {
    open(before.c_str(), O_RDONLY);  // as root: out of scope
    if (syscall(SYS_setuid, 65534) != 0) return 1;
    open(after.c_str(), O_RDONLY);  // as nobody: in scope from now on
    return 0;
  }));
  ASSERT_EQ(child.Wait(), 0);
  json in_scope = trace.WaitFor([&](const json& e) {
    return e["proc"]["pid"] == child.pid() && e["kernel"]["args"]["path"] == after;
  });
  trace.Stop();
  ASSERT_FALSE(in_scope.is_null()) << trace.stderr_text();
  EXPECT_EQ(in_scope["proc"]["uid"], 65534);
  for (const auto& r : trace.events())
    EXPECT_NE(r.event["kernel"]["args"].value("path", ""), before) << r.event.dump();
  EXPECT_GE(trace.stats()["proc_info_recomputes"], 1u);
}

TEST(KernelScope, NewMatchesOnlyProcessesStartedAfterTheLoad) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  const std::string old_path = dir / "from-an-old-process";
  const std::string new_path = dir / "from-a-new-process";
  TraceProcess trace({"--events", "open", "--scope", "new"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  open(old_path.c_str(), O_RDONLY);  // this test process started before the load
  ChildGuard child(Spawn([&] { return open(new_path.c_str(), O_RDONLY) < 0 ? 0 : 1; }));
  ASSERT_EQ(child.Wait(), 0);
  json fresh = trace.WaitFor([&](const json& e) {
    return e["proc"]["pid"] == child.pid() && e["kernel"]["args"]["path"] == new_path;
  });
  trace.Stop();
  EXPECT_FALSE(fresh.is_null()) << trace.stderr_text();
  for (const auto& r : trace.events())
    EXPECT_NE(r.event["kernel"]["args"].value("path", ""), old_path) << r.event.dump();
}

TEST(KernelScope, UtsNameSelectsProcessesOfThatHostname) {
  VIGIL_REQUIRE_BPF();
  TraceProcess trace({"--events", "exec,open", "--scope", "uts in [vigil-e2e-uts]"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  ChildGuard renamed(Spawn([] {
    if (unshare(CLONE_NEWUTS) != 0 || sethostname("vigil-e2e-uts", 13) != 0) return 2;
    execl("/bin/cat", "cat", "/etc/hostname", nullptr);  // exec re-evaluates the scope
    return 127;
  }));
  ASSERT_EQ(renamed.Wait() >> 8, 0);
  ChildGuard host(Spawn([] {
    execl("/bin/cat", "cat", "/etc/hostname", nullptr);
    return 127;
  }));
  ASSERT_EQ(host.Wait() >> 8, 0);
  json exec = trace.WaitFor(Is("exec", renamed.pid()));
  json open = trace.WaitFor([&](const json& e) {
    return e["proc"]["pid"] == renamed.pid() && e["evt"]["type"] == "open" &&
           e["kernel"]["args"]["path"] == "/etc/hostname";
  });
  trace.Stop();
  EXPECT_FALSE(exec.is_null()) << trace.stderr_text();
  EXPECT_FALSE(open.is_null());
  EXPECT_EQ(CountFrom(trace, host.pid()), 0u);
}

TEST(KernelScope, GidSelectsByValueAndByRange) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  TraceProcess trace({"--events", "open,exit", "--scope", "gid in [4242, 5000..5100]"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  // Each child changes its group (the kernel recomputes its scope), then opens its own path.
  auto in_group = [&](gid_t gid) {
    const std::string path = dir / ("gid-" + std::to_string(gid));
    return Spawn([gid, path] { return setgid(gid) != 0 ? 2 : OpenMany(path); });
  };
  ChildGuard exact(in_group(4242));   // a listed value
  ChildGuard ranged(in_group(5050));  // inside the range
  ChildGuard other(in_group(4343));   // neither
  ChildGuard above(in_group(5101));   // just past the range
  ASSERT_EQ(exact.Wait(), 0);
  ASSERT_EQ(ranged.Wait(), 0);
  ASSERT_EQ(other.Wait(), 0);
  ASSERT_EQ(above.Wait(), 0);
  StopAfterExits(trace, {exact.pid(), ranged.pid()});

  EXPECT_EQ(OpensOf(trace, exact.pid(), dir / "gid-4242", 4242), kOpens);
  EXPECT_EQ(OpensOf(trace, ranged.pid(), dir / "gid-5050", 5050), kOpens);
  EXPECT_EQ(CountFrom(trace, other.pid()), 0u);
  EXPECT_EQ(CountFrom(trace, above.pid()), 0u);
  EXPECT_GE(trace.stats()["filtered"], 2 * kOpens) << trace.stderr_text();
}

TEST(KernelScope, PidSelectsListedPidsAndRanges) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  Gate gate;  // the children exist (their pids are known) before the trace starts
  auto held = [&](const std::string& name) {
    const std::string path = dir / name;
    return Spawn([&gate, path] {
      gate.Pass();
      return OpenMany(path);
    });
  };
  ChildGuard a(held("a"));
  ChildGuard b(held("b"));
  ChildGuard c(held("c"));
  ASSERT_GT(a.pid(), 0);
  ASSERT_GT(b.pid(), 0);
  ASSERT_GT(c.pid(), 0);
  // a by value, c through a two-pid range that must leave b out.
  const pid_t lo = b.pid() == c.pid() + 1 ? c.pid() - 1 : c.pid();
  const std::string scope = fmt::format("pid in [{}, {}..{}]", a.pid(), lo, lo + 1);
  TraceProcess trace({"--events", "open,exit", "--scope", scope});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  // Started before the trace: the kernel builds their scope on their first event (a miss).
  gate.Open();
  ASSERT_EQ(a.Wait(), 0);
  ASSERT_EQ(b.Wait(), 0);
  ASSERT_EQ(c.Wait(), 0);
  StopAfterExits(trace, {a.pid(), c.pid()});

  EXPECT_EQ(OpensOf(trace, a.pid(), dir / "a"), kOpens) << scope;
  EXPECT_EQ(OpensOf(trace, c.pid(), dir / "c"), kOpens) << scope;
  EXPECT_EQ(CountFrom(trace, b.pid()), 0u) << scope;
  auto stats = trace.stats();
  EXPECT_GE(stats["filtered"], kOpens) << trace.stderr_text();
  EXPECT_GE(stats["proc_info_rebuilds"], 3u);
}

TEST(KernelScope, MntnsSelectsProcessesOfThatMountNamespace) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  Gate gate;
  // `inside` gets a mount namespace of its own, then (after the trace started) forks a child,
  // which the kernel evaluates at fork, in the same namespace.
  ChildGuard inside(Spawn([&] {
    if (unshare(CLONE_NEWNS) != 0) return 2;
    gate.Tell(1);
    gate.Pass();
    const pid_t child = Spawn([&] { return OpenMany(dir / "inside-child"); });
    const int rc = OpenMany(dir / "inside");
    const int status = WaitExit(child);
    return rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ? 1 : 0;
  }));
  ChildGuard host(Spawn([&] {
    gate.Pass();
    return OpenMany(dir / "host");
  }));
  int64_t ready = 0;
  ASSERT_TRUE(gate.Hear(&ready));
  const uint64_t mntns = NamespaceInode("/proc/" + std::to_string(inside.pid()) + "/ns/mnt");
  ASSERT_NE(mntns, 0u);
  ASSERT_NE(mntns, NamespaceInode("/proc/self/ns/mnt"));
  TraceProcess trace({"--events", "open,exit", "--scope", fmt::format("mntns == {}", mntns)});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  gate.Open();
  ASSERT_EQ(inside.Wait(), 0);
  ASSERT_EQ(host.Wait(), 0);
  StopAfterExits(trace, {inside.pid()});

  EXPECT_EQ(OpensOf(trace, inside.pid(), dir / "inside"), kOpens);
  pid_t grandchild = 0;
  for (const auto& r : trace.events())
    if (r.event["evt"]["type"] == "open" &&
        r.event["kernel"]["args"]["path"] == dir / "inside-child") {
      grandchild = r.event["proc"]["pid"];
      EXPECT_EQ(r.event["proc"]["ppid"], inside.pid());
      break;
    }
  ASSERT_NE(grandchild, 0);
  EXPECT_EQ(OpensOf(trace, grandchild, dir / "inside-child"), kOpens);
  EXPECT_EQ(CountFrom(trace, host.pid()), 0u);
  EXPECT_GE(trace.stats()["filtered"], kOpens) << trace.stderr_text();
}

// Runs a process that unshares its pid namespace and forks one child, which is the first
// process of the new namespace (its pid 1) while the parent stays in the host's. Both wait for
// `gate`, then the child opens dir/"in-pidns" and the parent dir/"host-pidns". The child's pid
// as the host sees it comes back through the gate.
pid_t SpawnPidnsPair(Gate& gate, const TempDir& dir) {
  return Spawn([&] {
    if (unshare(CLONE_NEWPID) != 0) return 2;
    const pid_t child = Spawn([&] {
      gate.Pass();
      return OpenMany(dir / "in-pidns");
    });
    if (child < 0) return 3;
    gate.Tell(child);
    gate.Pass();
    const int rc = OpenMany(dir / "host-pidns");
    const int status = WaitExit(child);
    return rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ? 1 : 0;
  });
}

TEST(KernelScope, PidnsSelectsProcessesOfThatPidNamespace) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  Gate gate;
  ChildGuard parent(SpawnPidnsPair(gate, dir));
  int64_t value = 0;
  ASSERT_TRUE(gate.Hear(&value));
  const pid_t child = static_cast<pid_t>(value);
  const uint64_t pidns = NamespaceInode("/proc/" + std::to_string(child) + "/ns/pid");
  ASSERT_NE(pidns, 0u);
  ASSERT_NE(pidns, NamespaceInode("/proc/self/ns/pid"));
  TraceProcess trace({"--events", "open,exit", "--scope", fmt::format("pidns == {}", pidns)});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  // Both started before the trace: the kernel builds their scope on their first event.
  gate.Open();
  ASSERT_EQ(parent.Wait(), 0);
  StopAfterExits(trace, {child});

  EXPECT_EQ(OpensOf(trace, child, dir / "in-pidns"), kOpens);
  EXPECT_EQ(CountFrom(trace, parent.pid()), 0u);
  EXPECT_GE(trace.stats()["filtered"], kOpens) << trace.stderr_text();
}

TEST(KernelScope, ContainerSelectsProcessesOutsideTheHostPidNamespace) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  Gate gate;
  TraceProcess trace({"--events", "open,exit", "--scope", "container"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  ChildGuard parent(SpawnPidnsPair(gate, dir));  // evaluated at fork: the trace runs already
  int64_t value = 0;
  ASSERT_TRUE(gate.Hear(&value));
  const pid_t child = static_cast<pid_t>(value);
  gate.Open();
  ASSERT_EQ(OpenMany(dir / "self"), 0);  // this test process is on the host
  ASSERT_EQ(parent.Wait(), 0);
  StopAfterExits(trace, {child});

  EXPECT_EQ(OpensOf(trace, child, dir / "in-pidns"), kOpens);
  EXPECT_EQ(CountFrom(trace, parent.pid()), 0u);
  EXPECT_EQ(CountFrom(trace, getpid()), 0u);
  EXPECT_GE(trace.stats()["filtered"], 2 * kOpens) << trace.stderr_text();
}

TEST(KernelScope, NotContainerSelectsHostProcesses) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  Gate gate;
  TraceProcess trace({"--events", "open,exit", "--scope", "not container"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  ChildGuard parent(SpawnPidnsPair(gate, dir));  // evaluated at fork: the trace runs already
  int64_t value = 0;
  ASSERT_TRUE(gate.Hear(&value));
  const pid_t child = static_cast<pid_t>(value);
  gate.Open();
  ASSERT_EQ(parent.Wait(), 0);
  StopAfterExits(trace, {parent.pid()});

  EXPECT_EQ(OpensOf(trace, parent.pid(), dir / "host-pidns"), kOpens);
  EXPECT_EQ(CountFrom(trace, child), 0u);
  EXPECT_GE(trace.stats()["filtered"], kOpens) << trace.stderr_text();
}

TEST(KernelScope, CgroupSelectsProcessesOfThatCgroup) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  if (Cgroup2Root().empty()) {
    if (BpfRequired()) FAIL() << "no cgroup2 hierarchy mounted";
    GTEST_SKIP() << "no cgroup2 hierarchy mounted";
  }
  TempCgroup cgroup("vigil-e2e-" + std::to_string(getpid()));
  ASSERT_TRUE(cgroup.ok()) << cgroup.path() << ": " << std::strerror(errno);
  Gate gate;
  ChildGuard inside(Spawn([&] {
    gate.Pass();
    return OpenMany(dir / "inside");
  }));
  ChildGuard outside(Spawn([&] {
    gate.Pass();
    return OpenMany(dir / "outside");
  }));
  ASSERT_TRUE(cgroup.Add(inside.pid())) << std::strerror(errno);
  ASSERT_EQ(CgroupIdOf(inside.pid()), cgroup.id());
  ASSERT_NE(CgroupIdOf(outside.pid()), cgroup.id());
  TraceProcess trace(
      {"--events", "open,exit", "--scope", fmt::format("cgroup == {}", cgroup.id())});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  gate.Open();
  ASSERT_EQ(inside.Wait(), 0);
  ASSERT_EQ(outside.Wait(), 0);
  StopAfterExits(trace, {inside.pid()});

  EXPECT_EQ(OpensOf(trace, inside.pid(), dir / "inside"), kOpens);
  EXPECT_EQ(CountFrom(trace, outside.pid()), 0u);
  EXPECT_GE(trace.stats()["filtered"], kOpens) << trace.stderr_text();
}

TEST(KernelScope, ProcInfoPressureKeepsEveryFollowedChild) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  constexpr int kChildren = 2000;
  TraceProcess trace(
      {"--events", "open", "--scope", "comm in [vigil-e2e-x] follow", "--proc-info-size", "64"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  const std::string storm_dir = dir / "storm";
  ChildGuard storm(Spawn([&] {
    execl(VIGIL_STORM_HELPER, "vigil-e2e-x", std::to_string(kChildren).c_str(), storm_dir.c_str(),
          nullptr);
    return 127;
  }));
  ASSERT_EQ(storm.Wait(), 0);
  const std::string last = storm_dir + "/" + std::to_string(kChildren - 1);
  trace.WaitFor([&](const json& e) { return e["kernel"]["args"]["path"] == last; });
  trace.Stop();

  std::set<std::string> seen;
  for (const auto& r : trace.events()) {
    const json& e = r.event;
    const std::string path = e["kernel"]["args"].value("path", "");
    if (path.rfind(storm_dir + "/", 0) != 0) continue;
    EXPECT_EQ(e["kernel"]["comm"], "storm-child");
    EXPECT_EQ(e["policies"], 1) << e.dump();
    EXPECT_EQ(e["proc"]["ppid"], storm.pid());
    seen.insert(path);
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kChildren));
  auto stats = trace.stats();
  EXPECT_EQ(stats["proc_info_size"], 64u);
  EXPECT_GT(stats["proc_info_misses"], 0u) << trace.stderr_text();
  EXPECT_GT(stats["proc_info_rebuilds"], 0u);
  EXPECT_EQ(stats["drops_main"], 0u);
}

}  // namespace
}  // namespace vigil::e2e
