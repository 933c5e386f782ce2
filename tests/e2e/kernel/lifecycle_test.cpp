// Process lifecycle through the real `vigil trace`: exec (arguments, identity, namespaces),
// fork and exit, the entity id against /proc, and the one clock (FIELD-LESSONS 1).
#include <gtest/gtest.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "bpf/entity.h"
#include "trace_harness.h"

namespace vigil::e2e {
namespace {

using nlohmann::json;

uint64_t SelfEntity() {
  return vigil_entity_from_ticks(getpid(), ProcStartTicks(getpid()));
}

// Padding one argument must not hide the rest: arguments are read up to --max-args-bytes
// (16 KiB by default, at most 64 KiB), and a list cut short says so.
TEST(KernelLifecycle, ExecCarriesLongArgumentListsAndFlagsTheCut) {
  VIGIL_REQUIRE_BPF();
  TraceProcess trace({"--events", "exec"});
  TraceProcess wide({"--events", "exec", "--max-args-bytes", "65536"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  ASSERT_TRUE(wide.WaitReady()) << wide.stderr_text();
  auto run = [](size_t padding) {
    const std::string pad(padding, 'p');
    ChildGuard child(Spawn([&] {
      execl("/bin/sh", "sh", "-c", "exit 0", pad.c_str(), "vigil-hidden-tail", nullptr);
      return 127;
    }));
    EXPECT_EQ(child.Wait(), 0);
    return child.pid();
  };
  const pid_t medium = run(12000);  // beyond the old 1 KiB / 4 KiB limits, within 16 KiB
  const pid_t large = run(40000);   // beyond 16 KiB, within 64 KiB
  const pid_t huge = run(100000);   // beyond every limit
  json m = trace.WaitFor(Is("exec", medium));
  ASSERT_FALSE(m.is_null()) << trace.stderr_text();
  ASSERT_EQ(m["proc"]["args"].size(), 5u) << m.dump().substr(0, 300);
  EXPECT_EQ(m["proc"]["args"][4], "vigil-hidden-tail");
  EXPECT_EQ(m["proc"]["args"][3].get<std::string>().size(), 12000u);
  EXPECT_EQ(m["kernel"]["argv_truncated"], false);
  EXPECT_EQ(m["proc"]["args_truncated"], false);
  json l = trace.WaitFor(Is("exec", large));
  ASSERT_FALSE(l.is_null());
  EXPECT_EQ(l["kernel"]["argv_truncated"], true);
  EXPECT_EQ(l["proc"]["args_truncated"], true);
  EXPECT_EQ(l["kernel"]["argc"], 5);
  json lw = wide.WaitFor(Is("exec", large));
  ASSERT_FALSE(lw.is_null()) << wide.stderr_text();
  EXPECT_EQ(lw["kernel"]["argv_truncated"], false);
  ASSERT_EQ(lw["proc"]["args"].size(), 5u);
  EXPECT_EQ(lw["proc"]["args"][4], "vigil-hidden-tail");
  json h = wide.WaitFor(Is("exec", huge));
  ASSERT_FALSE(h.is_null());
  EXPECT_EQ(h["kernel"]["argv_truncated"], true);
  EXPECT_EQ(h["proc"]["args_truncated"], true);
  trace.Stop();
  wide.Stop();
  EXPECT_EQ(trace.stats()["argv_shortened"], 0u);
  EXPECT_EQ(trace.stats()["decode_errors"], 0u);
}

TEST(KernelLifecycle, ExecCarriesArgumentsIdentityAndNamespaces) {
  VIGIL_REQUIRE_BPF();
  TraceProcess trace({"--events", "exec"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();

  // Hostile arguments: a control character and invalid UTF-8 must arrive escaped.
  ChildGuard child(Spawn([] {
    const char* argv[] = {"sh",
                          "-c",
                          "sleep 3",
                          "vigil\x01"
                          "arg",
                          "bad\xff"
                          "utf8",
                          nullptr};
    execv("/bin/sh", const_cast<char* const*>(argv));
    return 127;
  }));
  json exec = trace.WaitFor(Is("exec", child.pid()));
  ASSERT_FALSE(exec.is_null()) << trace.stderr_text();
  // Compare with /proc while the process is still alive.
  const uint64_t ticks = ProcStartTicks(child.pid());
  ASSERT_NE(ticks, 0u);

  char exe[PATH_MAX];
  ASSERT_NE(realpath("/bin/sh", exe), nullptr);
  EXPECT_EQ(exec["exec"]["filename"], "/bin/sh");
  EXPECT_EQ(exec["kernel"]["exe"], exe);
  EXPECT_EQ(exec["proc"]["args"],
            json::array({"sh", "-c", "sleep 3", "vigil\u0001arg", "bad\ufffdutf8"}));
  EXPECT_EQ(exec["kernel"]["argc"], 5);
  EXPECT_EQ(exec["kernel"]["argv_truncated"], false);
  EXPECT_EQ(exec["kernel"]["comm"], "sh");
  EXPECT_EQ(exec["proc"]["ppid"], getpid());
  EXPECT_EQ(exec["proc"]["tid"], child.pid());
  EXPECT_EQ(exec["proc"]["uid"], getuid());
  EXPECT_EQ(exec["proc"]["gid"], getgid());
  EXPECT_EQ(exec["proc"]["euid"], geteuid());
  EXPECT_EQ(exec["proc"]["mntns"], NamespaceInode("/proc/self/ns/mnt"));
  EXPECT_EQ(exec["proc"]["pidns"], NamespaceInode("/proc/self/ns/pid"));
  const uint64_t cgroup = CgroupIdOf(getpid());
  if (cgroup != 0) {
    EXPECT_EQ(exec["kernel"]["cgroup_id"], cgroup);
  }
  std::ifstream loginuid_file("/proc/self/loginuid");
  uint64_t loginuid = 0;
  if (loginuid_file >> loginuid) {
    EXPECT_EQ(exec["proc"]["loginuid"], loginuid);
  }
  // Identity: the kernel's entity equals the one computed from /proc/PID/stat.
  EXPECT_EQ(exec["kernel"]["start_ns"].get<uint64_t>() / VIGIL_NSEC_PER_TICK, ticks);
  EXPECT_EQ(exec["proc"]["entity"], vigil_entity_from_ticks(child.pid(), ticks));
  EXPECT_EQ(exec["kernel"]["parent_entity"], SelfEntity());
  EXPECT_EQ(exec["policies"], 1);
  trace.Stop();
  EXPECT_EQ(trace.malformed_lines(), 0u);
}

TEST(KernelLifecycle, ForkAndExitCarryParentAndExitCode) {
  VIGIL_REQUIRE_BPF();
  TraceProcess trace({"--events", "fork,exit"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();

  ChildGuard exits7(Spawn([] { return 7; }));
  ChildGuard killed(Spawn([] {
    raise(SIGKILL);
    return 0;
  }));
  json fork = trace.WaitFor(Is("fork", exits7.pid()));
  json exit = trace.WaitFor(Is("exit", exits7.pid()));
  json killed_exit = trace.WaitFor(Is("exit", killed.pid()));
  ASSERT_FALSE(fork.is_null()) << trace.stderr_text();
  ASSERT_FALSE(exit.is_null()) << trace.stderr_text();
  ASSERT_FALSE(killed_exit.is_null()) << trace.stderr_text();
  exits7.Wait();
  killed.Wait();

  EXPECT_EQ(fork["proc"]["ppid"], getpid());
  EXPECT_EQ(fork["kernel"]["parent_entity"], SelfEntity());
  EXPECT_EQ(fork["proc"]["entity"], exit["proc"]["entity"]);
  EXPECT_EQ(fork["kernel"]["start_ns"], exit["kernel"]["start_ns"]);
  EXPECT_EQ(exit["exit"]["code"], 7);
  EXPECT_EQ(exit["exit"]["signal"], 0);
  EXPECT_EQ(killed_exit["exit"]["signal"], SIGKILL);
  trace.Stop();
}

TEST(KernelLifecycle, TimestampsUseBoottimeAndNeverRunBackwardsPerCpu) {
  VIGIL_REQUIRE_BPF();
  TraceProcess trace({"--events", "exec,fork,exit,open"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  std::vector<pid_t> pids;
  for (int i = 0; i < 20; ++i) {
    pid_t pid = Spawn([] {
      execl("/bin/true", "true", nullptr);
      return 127;
    });
    WaitExit(pid);
    pids.push_back(pid);
  }
  ASSERT_FALSE(trace.WaitFor(Is("exit", pids.back())).is_null());
  trace.Stop();
  auto events = trace.events();
  ASSERT_GT(events.size(), 40u);
  std::map<int, uint64_t> last_per_cpu;
  size_t checked = 0;
  for (const auto& r : events) {
    ASSERT_EQ(r.event["kernel"]["clock"], "boottime");
    const uint64_t t = r.event["evt"]["boottime"];
    // On the same clock as user space's CLOCK_BOOTTIME: never after the read, and not far
    // before it. The bound only has to tell clock bases apart (a wall clock is decades off), so
    // it is 10 s: a busy machine (CI under parallel builds) delays reads by over 100 ms.
    EXPECT_LE(t, r.boottime_at_read_ns) << r.event.dump();
    EXPECT_LT(r.boottime_at_read_ns - t, 10'000'000'000u) << r.event.dump();
    const int cpu = r.event["kernel"]["cpu"];
    EXPECT_GE(t, last_per_cpu[cpu])
        << "time ran backwards on cpu " << cpu << ": " << r.event.dump();
    last_per_cpu[cpu] = t;
    ++checked;
  }
  EXPECT_EQ(checked, events.size());
}

TEST(KernelTrace, RefusesToRunWithoutRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to an unprivileged uid";
  int err[2];
  ASSERT_EQ(pipe(err), 0);
  ChildGuard child(Spawn([&] {
    dup2(err[1], 2);
    if (setgid(65534) != 0 || setuid(65534) != 0) return 126;
    execl(VIGIL_BINARY, "vigil", "trace", nullptr);
    return 127;
  }));
  close(err[1]);
  std::string text;
  char buf[512];
  ssize_t n;
  while ((n = read(err[0], buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  close(err[0]);
  const int status = child.Wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(text.find("must run as root"), std::string::npos) << text;
}

}  // namespace
}  // namespace vigil::e2e
