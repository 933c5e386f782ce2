// Scope filtering in the kernel, proven by counts: what is out of scope never reaches user space
// while the kernel's filtered counter rises; follow keeps renamed and exec'd descendants; binary
// matches by path; and scope decisions survive a proc_info map far smaller than the process count.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <string>

#include "trace_harness.h"

#ifndef VIGIL_STORM_HELPER
#error "VIGIL_STORM_HELPER must name the storm helper executable"
#endif

namespace vigil::e2e {
namespace {

using nlohmann::json;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/vigil-e2e-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

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
    if (e["type"] == "open" && e["proc"]["pid"] == in_scope.pid() &&
        e["syscall"]["args"]["path"] == "/etc/hostname")
      ++opens_in_scope;
    EXPECT_EQ(e["proc"]["comm"], "vigil-e2e-x") << e.dump();
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
    return e["type"] == "exec" && e["proc"]["comm"] == "cat" && e["proc"]["ppid"] == parent.pid();
  });
  ASSERT_FALSE(cat.is_null()) << trace.stderr_text();
  EXPECT_EQ(cat["policies"], json::array({0}));
  json open = trace.WaitFor([&](const json& e) {
    return e["type"] == "open" && e["proc"]["pid"] == cat["proc"]["pid"] &&
           e["syscall"]["args"]["path"] == "/etc/hostname";
  });
  EXPECT_FALSE(open.is_null());
  trace.Stop();
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
  EXPECT_EQ(exec["exec"]["exe"], touch);
  json open = trace.WaitFor([&](const json& e) {
    return e["type"] == "open" && e["proc"]["pid"] == toucher.pid() &&
           e["syscall"]["args"]["path"] == file;
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
    return e["proc"]["pid"] == child.pid() && e["syscall"]["args"]["path"] == after;
  });
  trace.Stop();
  ASSERT_FALSE(in_scope.is_null()) << trace.stderr_text();
  EXPECT_EQ(in_scope["proc"]["uid"], 65534);
  for (const auto& r : trace.events())
    EXPECT_NE(r.event["syscall"]["args"].value("path", ""), before) << r.event.dump();
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
    return e["proc"]["pid"] == child.pid() && e["syscall"]["args"]["path"] == new_path;
  });
  trace.Stop();
  EXPECT_FALSE(fresh.is_null()) << trace.stderr_text();
  for (const auto& r : trace.events())
    EXPECT_NE(r.event["syscall"]["args"].value("path", ""), old_path) << r.event.dump();
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
    return e["proc"]["pid"] == renamed.pid() && e["type"] == "open" &&
           e["syscall"]["args"]["path"] == "/etc/hostname";
  });
  trace.Stop();
  EXPECT_FALSE(exec.is_null()) << trace.stderr_text();
  EXPECT_FALSE(open.is_null());
  EXPECT_EQ(CountFrom(trace, host.pid()), 0u);
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
  trace.WaitFor([&](const json& e) { return e["syscall"]["args"]["path"] == last; });
  trace.Stop();

  std::set<std::string> seen;
  for (const auto& r : trace.events()) {
    const json& e = r.event;
    const std::string path = e["syscall"]["args"].value("path", "");
    if (path.rfind(storm_dir + "/", 0) != 0) continue;
    EXPECT_EQ(e["proc"]["comm"], "storm-child");
    EXPECT_EQ(e["policies"], json::array({0})) << e.dump();
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
