// The syscall event types of issue 14 ("Sensors v2"): credentials, ptrace, namespaces, dup,
// xattr, utimes, the new mount API, bpf and the rare exploitation steps. Each test makes the
// kernel produce the events through real syscalls (failed attempts included), checks the exact
// fields of `vigil trace`'s JSON, and replays the same lines through `vigil replay` with a rule
// over the new fields (the record/replay round trip: `vigil record` writes the same JSON). One
// `vigil trace` serves the suite, scoped in the kernel to this test process and its children.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <thread>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "shared_trace_suite.h"
#include "trace_harness.h"

namespace vigil::e2e {
namespace {

using nlohmann::json;

// With fork and exit, as the agent always has them: the tracer's process tree learns each child
// from the kernel, in order, before any event that names it (ptrace.parent_traces_child of a
// child seized and reaped at once would otherwise depend on /proc still having it).
constexpr const char* kEvents =
    "fork,exit,setuid,setgid,capset,ptrace,ns_create,dup,xattr,utimes,mount,umount,chroot,bpf,"
    "io_uring_setup,userfaultfd,process_vm,personality,keyctl,listen,accept";

// A pid above any pid_max: calls naming it fail with ESRCH.
constexpr pid_t kNoSuchPid = 0x3fffffff;

// The capability sets of this process from /proc/self/status ("CapEff", "CapPrm").
uint64_t CapabilitySet(const std::string& name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + ":", 0) == 0)
      return std::stoull(line.substr(name.size() + 1), nullptr, 16);
  return 0;
}

// `e` without the null members that probing a json with operator[] leaves behind (the tests'
// own artefacts: vigil never writes null).
json WithoutNulls(const json& e) {
  if (!e.is_object()) return e;
  json out = json::object();
  for (auto it = e.begin(); it != e.end(); ++it)
    if (!it.value().is_null()) out[it.key()] = WithoutNulls(it.value());
  return out;
}

// Runs `vigil replay` on `events` with the rules of `policy` and returns its alert lines. A
// replay that fails or finds a malformed line fails the test.
std::vector<json> Replay(const std::string& policy, const std::vector<json>& events) {
  TempDir dir;
  std::ofstream(dir / "policy.vgl") << policy;
  {
    std::ofstream out(dir / "events.jsonl");
    for (const json& e : events) out << WithoutNulls(e).dump() << "\n";
  }
  const std::string cmd = std::string(VIGIL_BINARY) + " replay --policy " + (dir / "policy.vgl") +
                          " " + (dir / "events.jsonl") + " 2>" + (dir / "stderr");
  std::vector<json> alerts;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return alerts;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int status = pclose(p);
  std::ifstream err_file(dir / "stderr");
  const std::string err((std::istreambuf_iterator<char>(err_file)),
                        std::istreambuf_iterator<char>());
  if (status != 0 ||
      (err.find("malformed") != std::string::npos && err.find(" 0 malformed") == std::string::npos))
    ADD_FAILURE() << "vigil replay: status " << status << ": " << err;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line))
    if (!line.empty()) alerts.push_back(json::parse(line, nullptr, false));
  return alerts;
}

// The `output` texts of alerts, in order.
std::vector<std::string> Outputs(const std::vector<json>& alerts) {
  std::vector<std::string> out;
  for (const json& a : alerts) out.push_back(a.value("output", "?"));
  return out;
}

class KernelAttackSyscalls : public SharedTraceSuite<KernelAttackSyscalls> {
 protected:
  static void SetUpTestSuite() { Start("vigil-e2e-av", {"--events", kEvents}); }
  static void TearDownTestSuite() {
    Stop([](TraceProcess& trace) {
      // None of these types may put a program on raw_syscalls (issue 14, performance).
      EXPECT_EQ(trace.stderr_text().find("raw_syscalls"), std::string::npos) << trace.stderr_text();
    });
  }
  // The suite's events also name their syscall in `evt.syscall`.
  static json Syscall(const std::string& type, const std::string& name, pid_t pid,
                      const std::function<bool(const json&)>& extra = nullptr) {
    return SharedTraceSuite::Syscall(type, name, pid, [&](const json& e) {
      return e["evt"].value("syscall", "") == name && (!extra || extra(e));
    });
  }
};

TEST_F(KernelAttackSyscalls, CredentialsWithTheCallersIdsBeforeTheCall) {
  const uint64_t caps = CapabilitySet("CapEff");
  ASSERT_EQ(getuid(), 0u);
  ChildGuard child(Spawn([] {
    // Raw syscalls: glibc's wrappers broadcast set*id to every thread.
    if (syscall(SYS_setregid, -1, 65533) != 0) return 1;
    // returns the previous fsgid, which followed the effective gid
    if (syscall(SYS_setfsgid, 4343) != 65533) return 2;
    if (syscall(SYS_setresuid, -1, 65534, -1) != 0) return 3;
    // Now euid 65534 without capabilities: a saved uid that is none of the ids fails.
    if (syscall(SYS_setresuid, -1, -1, 12345) != -1 || errno != EPERM) return 4;
    // setfsuid never fails: unprivileged, it keeps the old fsuid and returns it.
    if (syscall(SYS_setfsuid, 4242) != 65534) return 5;
    return 0;
  }));
  ASSERT_EQ(child.Wait(), 0);

  json rg = Syscall("setgid", "setregid", child.pid());
  ASSERT_FALSE(rg.is_null());
  EXPECT_EQ(rg["setgid"]["gid"], 65533);
  EXPECT_EQ(rg["setgid"]["egid"], 65533);
  EXPECT_EQ(rg["setgid"]["rgid"], -1);
  EXPECT_EQ(rg["cred"]["gid"], 0);
  EXPECT_EQ(rg["cred"]["egid"], 0);
  EXPECT_EQ(rg["evt"]["retval"], 0);
  json fg = Syscall("setgid", "setfsgid", child.pid());
  ASSERT_FALSE(fg.is_null());
  EXPECT_EQ(fg["setgid"]["gid"], 4343);
  EXPECT_EQ(fg["cred"]["egid"], 65533);
  EXPECT_EQ(fg["kernel"]["args"]["fsgid"], 4343);
  EXPECT_EQ(fg["evt"]["retval"], 65533);

  json ok = Syscall("setuid", "setresuid", child.pid(),
                    [](const json& e) { return e["evt"]["retval"] == 0; });
  ASSERT_FALSE(ok.is_null());
  EXPECT_EQ(ok["setuid"]["uid"], 65534);
  EXPECT_EQ(ok["setuid"]["ruid"], -1);
  EXPECT_EQ(ok["setuid"]["euid"], 65534);
  EXPECT_EQ(ok["setuid"]["suid"], -1);
  EXPECT_EQ(ok["cred"]["uid"], 0);
  EXPECT_EQ(ok["cred"]["euid"], 0);
  EXPECT_EQ(ok["cred"]["suid"], 0);
  EXPECT_EQ(ok["cred"]["cap_effective"], caps);
  EXPECT_EQ(ok["proc"]["uid"], 0);

  json failed = Syscall("setuid", "setresuid", child.pid(),
                        [](const json& e) { return e["evt"]["retval"] != 0; });
  ASSERT_FALSE(failed.is_null());
  EXPECT_EQ(failed["evt"]["retval"], -EPERM);
  EXPECT_EQ(failed["evt"]["failed"], true);
  EXPECT_EQ(failed["kernel"]["error"], "EPERM");
  EXPECT_EQ(failed["setuid"]["suid"], 12345);
  EXPECT_EQ(failed["setuid"]["euid"], -1);
  EXPECT_EQ(failed["cred"]["uid"], 0);
  EXPECT_EQ(failed["cred"]["euid"], 65534);
  EXPECT_EQ(failed["cred"]["fsuid"], 65534);
  EXPECT_EQ(failed["cred"]["cap_effective"], 0);  // dropped with the effective uid

  json fs = Syscall("setuid", "setfsuid", child.pid());
  ASSERT_FALSE(fs.is_null());
  EXPECT_EQ(fs["setuid"]["uid"], 4242);
  EXPECT_EQ(fs["evt"]["retval"], 65534);
  EXPECT_EQ(fs["cred"]["fsuid"], 65534);

  // Round trip: the traced lines, replayed, satisfy rules over the new fields.
  auto alerts = Replay(R"(
rule setuid_attempt_denied {
  desc "set*id refused" severity high
  on setuid
  when evt.failed and cred.euid != 0 and setuid.suid == 12345
  output "{evt.syscall} by euid {cred.euid} (uid {cred.uid}) to suid {setuid.suid}: {evt.retval}"
}
rule fsuid_change {
  desc "fsuid" severity low
  on setuid, setgid
  when evt.syscall in [setfsuid, setfsgid]
  output "{evt.syscall} {setuid.uid}{setgid.gid} from fsuid {cred.fsuid}"
}
policy all { desc "all" scope global rules [setuid_attempt_denied, fsuid_change] }
)",
                       {rg, fg, ok, failed, fs});
  EXPECT_EQ(Outputs(alerts),
            (std::vector<std::string>{"setfsgid <NA>4343 from fsuid 0",
                                      "setresuid by euid 65534 (uid 0) to suid 12345: -1",
                                      "setfsuid 4242<NA> from fsuid 65534"}))
      << json(alerts).dump();
}

TEST_F(KernelAttackSyscalls, CapsetRequestedSetsAndFailedRaise) {
  ChildGuard child(Spawn([] {
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2] = {};
    const uint32_t keep = (1u << CAP_SETUID) | (1u << CAP_SETGID);
    d[0].effective = d[0].permitted = keep;
    if (syscall(SYS_capset, &h, d) != 0) return 1;
    // Raising a capability that is no longer permitted fails.
    d[0].permitted = keep | (1u << CAP_SYS_ADMIN);
    if (syscall(SYS_capset, &h, d) != -1 || errno != EPERM) return 2;
    return 0;
  }));
  ASSERT_EQ(child.Wait(), 0);
  const uint64_t keep = (1u << CAP_SETUID) | (1u << CAP_SETGID);
  json drop = Syscall("capset", "capset", child.pid(),
                      [](const json& e) { return e["evt"]["retval"] == 0; });
  ASSERT_FALSE(drop.is_null());
  EXPECT_EQ(drop["capset"]["effective"], keep);
  EXPECT_EQ(drop["capset"]["permitted"], keep);
  EXPECT_EQ(drop["capset"]["inheritable"], 0);
  EXPECT_EQ(drop["capset"]["pid"], 0);
  EXPECT_EQ(drop["cred"]["cap_permitted"], CapabilitySet("CapPrm"));
  json raise = Syscall("capset", "capset", child.pid(),
                       [](const json& e) { return e["evt"]["retval"] != 0; });
  ASSERT_FALSE(raise.is_null());
  EXPECT_EQ(raise["evt"]["retval"], -EPERM);
  EXPECT_EQ(raise["capset"]["permitted"], keep | (1ull << CAP_SYS_ADMIN));
  EXPECT_EQ(raise["cred"]["cap_permitted"], keep);
  EXPECT_EQ(raise["cred"]["cap_effective"], keep);

  auto alerts = Replay(R"(
rule capset_raise {
  desc "capset asked for a capability it does not hold" severity high
  on capset
  when capset.permitted contains CAP_SYS_ADMIN and not cred.cap_permitted contains CAP_SYS_ADMIN
  output "capset {capset.permitted} with {cred.cap_permitted}: {evt.retval}"
}
policy all { desc "all" scope global rules [capset_raise] }
)",
                       {drop, raise});
  EXPECT_EQ(Outputs(alerts),
            (std::vector<std::string>{"capset CAP_SETGID|CAP_SETUID|CAP_SYS_ADMIN with "
                                      "CAP_SETGID|CAP_SETUID: -1"}))
      << json(alerts).dump();
}

TEST_F(KernelAttackSyscalls, PtraceRequestsByNameAndTheTracersRelation) {
  ChildGuard target(Spawn([] {
    pause();
    return 0;
  }));
  const pid_t target_pid = target.pid();
  ChildGuard tracer(Spawn([&] {
    if (ptrace(PTRACE_ATTACH, target_pid, nullptr, nullptr) != 0) return 1;
    int status = 0;
    if (waitpid(target_pid, &status, __WALL) != target_pid) return 2;
    // A write to an unmapped address fails.
    if (ptrace(PTRACE_POKEDATA, target_pid, nullptr, reinterpret_cast<void*>(1)) != -1) return 3;
    ptrace(PTRACE_DETACH, target_pid, nullptr, nullptr);
    if (ptrace(PTRACE_ATTACH, kNoSuchPid, nullptr, nullptr) != -1 || errno != ESRCH) return 4;
    // A debugger: its own child asks to be traced, and it seizes another child it started.
    pid_t kid = fork();
    if (kid == 0) _exit(ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) == 0 ? 0 : 1);
    waitpid(kid, &status, 0);
    pid_t kid2 = fork();
    if (kid2 == 0) {
      pause();
      _exit(0);
    }
    long rc = ptrace(PTRACE_SEIZE, kid2, nullptr, nullptr);
    kill(kid2, SIGKILL);
    waitpid(kid2, &status, __WALL);
    return rc == 0 && WIFEXITED(status) == 0 ? 0 : 5;
  }));
  ASSERT_EQ(tracer.Wait(), 0);
  auto request = [&](const std::string& name) {
    return Syscall("ptrace", "ptrace", tracer.pid(),
                   [&](const json& e) { return e["ptrace"]["request_name"] == name; });
  };
  json attach = request("PTRACE_ATTACH");
  ASSERT_FALSE(attach.is_null());
  EXPECT_EQ(attach["ptrace"]["request"], PTRACE_ATTACH);
  EXPECT_EQ(attach["ptrace"]["target"]["pid"], target_pid);
  EXPECT_EQ(attach["ptrace"]["parent_traces_child"], false);  // the target is the test's child
  EXPECT_EQ(attach["evt"]["retval"], 0);
  json poke = request("PTRACE_POKEDATA");
  ASSERT_FALSE(poke.is_null());
  EXPECT_EQ(poke["evt"]["retval"], -EIO);
  EXPECT_EQ(poke["kernel"]["args"]["data"], 1);
  json missing = Syscall("ptrace", "ptrace", tracer.pid(),
                         [](const json& e) { return e["ptrace"]["target"]["pid"] == kNoSuchPid; });
  ASSERT_FALSE(missing.is_null());
  EXPECT_EQ(missing["ptrace"]["request_name"], "PTRACE_ATTACH");
  EXPECT_EQ(missing["evt"]["retval"], -ESRCH);
  EXPECT_FALSE(missing["ptrace"].contains("parent_traces_child"));  // nothing to compare with
  json seize = request("PTRACE_SEIZE");
  ASSERT_FALSE(seize.is_null());
  EXPECT_EQ(seize["ptrace"]["parent_traces_child"], true);
  EXPECT_EQ(seize["evt"]["retval"], 0);
  json traceme = trace_->WaitFor([&](const json& e) {
    return e["evt"].value("type", "") == "ptrace" && e["proc"].value("ppid", 0) == tracer.pid() &&
           e["ptrace"]["request"] == PTRACE_TRACEME;
  });
  ASSERT_FALSE(traceme.is_null());
  EXPECT_EQ(traceme["ptrace"]["request_name"], "PTRACE_TRACEME");
  EXPECT_EQ(traceme["ptrace"]["parent_traces_child"], true);
  EXPECT_EQ(traceme["evt"]["retval"], 0);

  auto alerts = Replay(R"(
rule ptrace_foreign {
  desc "ptrace of a process the tracer did not start" severity high
  on ptrace
  when not ptrace.parent_traces_child and ptrace.request in [PTRACE_ATTACH, PTRACE_POKEDATA]
  output "{ptrace.request_name} {ptrace.target.pid}: {evt.retval}"
}
policy all { desc "all" scope global rules [ptrace_foreign] }
)",
                       {attach, poke, missing, seize, traceme});
  EXPECT_EQ(Outputs(alerts),
            (std::vector<std::string>{"PTRACE_ATTACH " + std::to_string(target_pid) + ": 0",
                                      "PTRACE_POKEDATA " + std::to_string(target_pid) + ": -5",
                                      "PTRACE_ATTACH " + std::to_string(kNoSuchPid) + ": -3"}))
      << json(alerts).dump();
}

TEST_F(KernelAttackSyscalls, NamespaceCreationFlagsByName) {
  ChildGuard child(Spawn([] {
    if (unshare(CLONE_FS) != 0) return 1;  // no namespace: not reported
    if (unshare(CLONE_NEWUTS | CLONE_NEWNS) != 0) return 2;
    long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) _exit(0);
    if (pid < 0 || waitpid(static_cast<pid_t>(pid), nullptr, 0) != pid) return 3;
    clone_args args{};
    args.flags = CLONE_NEWNET | CLONE_NEWPID;
    args.exit_signal = SIGCHLD;
    long pid3 = syscall(SYS_clone3, &args, sizeof(args));
    if (pid3 == 0) _exit(0);
    if (pid3 < 0 || waitpid(static_cast<pid_t>(pid3), nullptr, 0) != pid3) return 4;
    // A process with threads cannot enter a new user namespace.
    std::thread sleeper([] { usleep(200000); });
    long rc = unshare(CLONE_NEWUSER);
    const int err = errno;
    sleeper.join();
    return rc == -1 && err == EINVAL ? 0 : 5;
  }));
  ASSERT_EQ(child.Wait(), 0);
  json u = Syscall("ns_create", "unshare", child.pid(),
                   [](const json& e) { return e["evt"]["retval"] == 0; });
  ASSERT_FALSE(u.is_null());
  EXPECT_EQ(u["ns"]["flags"], CLONE_NEWUTS | CLONE_NEWNS);
  EXPECT_EQ(u["kernel"]["args"]["flags"], CLONE_NEWUTS | CLONE_NEWNS);
  json c = Syscall("ns_create", "clone", child.pid());
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["ns"]["flags"], CLONE_NEWUSER);
  EXPECT_EQ(c["kernel"]["args"]["flags"], CLONE_NEWUSER | SIGCHLD);
  EXPECT_GT(c["evt"]["retval"], 0);
  json c3 = Syscall("ns_create", "clone3", child.pid());
  ASSERT_FALSE(c3.is_null());
  EXPECT_EQ(c3["ns"]["flags"], CLONE_NEWNET | CLONE_NEWPID);
  EXPECT_EQ(c3["kernel"]["args"]["flags"], CLONE_NEWNET | CLONE_NEWPID);
  EXPECT_GT(c3["evt"]["retval"], 0);
  json failed = Syscall("ns_create", "unshare", child.pid(),
                        [](const json& e) { return e["evt"]["retval"] != 0; });
  ASSERT_FALSE(failed.is_null());
  EXPECT_EQ(failed["evt"]["retval"], -EINVAL);
  EXPECT_EQ(failed["ns"]["flags"], CLONE_NEWUSER);
  for (const Received& r : trace_->events()) {
    if (r.event["proc"].value("pid", 0) == child.pid() && r.event["evt"]["type"] == "ns_create") {
      EXPECT_NE(r.event["kernel"]["args"]["flags"], CLONE_FS) << r.event.dump();
    }
  }

  auto alerts = Replay(R"(
rule userns {
  desc "user namespace" severity medium
  on ns_create
  when ns.flags contains CLONE_NEWUSER
  output "{evt.syscall} {ns.flags} {evt.failed}"
}
policy all { desc "all" scope global rules [userns] }
)",
                       {u, c, c3, failed});
  EXPECT_EQ(Outputs(alerts),
            (std::vector<std::string>{"clone CLONE_NEWUSER false", "unshare CLONE_NEWUSER true"}))
      << json(alerts).dump();
}

TEST_F(KernelAttackSyscalls, DupOfASocketOntoStandardStreams) {
  LoopbackListener server(4);
  ASSERT_TRUE(server.ok()) << std::strerror(errno);
  const sockaddr_in addr = server.address();
  const int port = server.port();
  // A named unix socket: the peer of a client connected to it has its path.
  TempDir dir;
  sockaddr_un named{};
  named.sun_family = AF_UNIX;
  const std::string unix_path = dir / "sock";
  std::strncpy(named.sun_path, unix_path.c_str(), sizeof(named.sun_path) - 1);
  UniqueFd unix_server(socket(AF_UNIX, SOCK_STREAM, 0));
  ASSERT_EQ(bind(unix_server.get(), reinterpret_cast<const sockaddr*>(&named), sizeof(named)), 0);
  ASSERT_EQ(listen(unix_server.get(), 1), 0);
  ChildGuard child(Spawn([&] {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) return 1;
    if (dup2(s, 10) != 10) return 2;          // not a standard stream: not reported
    if (fcntl(s, F_DUPFD, 0) <= 2) return 3;  // lowest free is above 2: not reported
    if (dup2(s, 0) != 0) return 4;
    if (dup3(s, 2, O_CLOEXEC) != 2) return 5;
    close(1);
    if (fcntl(s, F_DUPFD_CLOEXEC, 0) != 1) return 6;
    if (dup2(999, 1) != -1 || errno != EBADF) return 7;
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return 8;
    close(2);
    if (dup(pair[0]) != 2) return 9;
    int u = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(u, reinterpret_cast<const sockaddr*>(&named), sizeof(named)) != 0) return 10;
    return dup3(u, 0, 0) == 0 ? 0 : 11;
  }));
  UniqueFd conn = server.Accept();
  ASSERT_EQ(child.Wait(), 0);
  auto dup_of = [&](const std::string& syscall, int newfd) {
    return Syscall("dup", syscall, child.pid(),
                   [&](const json& e) { return e["dup"].value("newfd", -1) == newfd; });
  };
  json d0 = dup_of("dup2", 0);
  ASSERT_FALSE(d0.is_null());
  EXPECT_EQ(d0["dup"]["socket"], true);
  EXPECT_EQ(d0["net"]["family"], AF_INET);
  EXPECT_EQ(d0["net"]["daddr"], "127.0.0.1");
  EXPECT_EQ(d0["net"]["dport"], port);
  EXPECT_EQ(d0["evt"]["retval"], 0);
  const int sock = d0["dup"]["oldfd"];
  json d2 = dup_of("dup3", 2);
  ASSERT_FALSE(d2.is_null());
  EXPECT_EQ(d2["dup"]["oldfd"], sock);
  EXPECT_EQ(d2["net"]["dport"], port);
  EXPECT_EQ(d2["kernel"]["args"]["flags"], O_CLOEXEC);
  json d1 = dup_of("fcntl", 1);
  ASSERT_FALSE(d1.is_null());
  EXPECT_EQ(d1["dup"]["oldfd"], sock);
  EXPECT_EQ(d1["net"]["daddr"], "127.0.0.1");
  EXPECT_EQ(d1["kernel"]["args"]["cmd"], F_DUPFD_CLOEXEC);
  json bad =
      Syscall("dup", "dup2", child.pid(), [](const json& e) { return e["evt"]["retval"] != 0; });
  ASSERT_FALSE(bad.is_null());
  EXPECT_EQ(bad["evt"]["retval"], -EBADF);
  EXPECT_EQ(bad["dup"]["oldfd"], 999);
  EXPECT_EQ(bad["dup"]["socket"], false);
  EXPECT_FALSE(bad.contains("net"));
  json unix_dup = dup_of("dup", 2);
  ASSERT_FALSE(unix_dup.is_null());
  EXPECT_EQ(unix_dup["dup"]["socket"], true);
  EXPECT_EQ(unix_dup["net"]["family"], AF_UNIX);
  EXPECT_EQ(unix_dup["kernel"]["args"]["addr"]["address"], "");  // a socketpair: no name
  json named_dup = dup_of("dup3", 0);
  ASSERT_FALSE(named_dup.is_null());
  EXPECT_EQ(named_dup["dup"]["socket"], true);
  EXPECT_EQ(named_dup["net"]["family"], AF_UNIX);
  EXPECT_EQ(named_dup["kernel"]["args"]["addr"]["address"], unix_path);
  for (const Received& r : trace_->events()) {
    if (r.event["proc"].value("pid", 0) != child.pid() || r.event["evt"]["type"] != "dup") continue;
    EXPECT_LE(r.event["dup"].value("newfd", 0), 2) << r.event.dump();
  }

  auto alerts = Replay(R"(
rule reverse_shell_streams {
  desc "a socket became a standard stream" severity high
  on dup
  when dup.socket and dup.newfd <= 2 and net.family == AF_INET
  output "{evt.syscall} fd {dup.oldfd} -> {dup.newfd} peer {net.daddr}:{net.dport}"
}
policy all { desc "all" scope global rules [reverse_shell_streams] }
)",
                       {d0, d2, d1, bad, unix_dup});
  const std::string peer = " peer 127.0.0.1:" + std::to_string(port);
  const std::string fd = "fd " + std::to_string(sock);
  EXPECT_EQ(Outputs(alerts),
            (std::vector<std::string>{"dup2 " + fd + " -> 0" + peer, "dup3 " + fd + " -> 2" + peer,
                                      "fcntl " + fd + " -> 1" + peer}))
      << json(alerts).dump();
}

TEST_F(KernelAttackSyscalls, ListenAndAcceptCarryTheLocalAddress) {
  LoopbackListener server(3);
  ASSERT_TRUE(server.ok()) << std::strerror(errno);
  const int port = server.port();
  const sockaddr_in addr = server.address();
  ChildGuard child(Spawn([&] {
    UniqueFd s(socket(AF_INET, SOCK_STREAM, 0));
    return connect(s.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0 ? 0 : 1;
  }));
  sockaddr_in peer{};
  UniqueFd conn = server.Accept(&peer);
  ASSERT_TRUE(conn.valid());
  ASSERT_EQ(child.Wait(), 0);
  TempDir dir;
  UniqueFd file(open((dir / "f").c_str(), O_CREAT | O_RDWR, 0600));
  ASSERT_EQ(listen(file.get(), 1), -1);  // not a socket: a failed attempt, without address
  // Descriptor numbers repeat from test to test: the backlog and the peer's port single out
  // this test's calls.
  json l = Syscall("listen", "listen", getpid(),
                   [&](const json& e) { return e["kernel"]["args"]["backlog"] == 3; });
  ASSERT_FALSE(l.is_null());
  EXPECT_EQ(l["net"]["saddr"], "127.0.0.1");
  EXPECT_EQ(l["net"]["sport"], port);
  EXPECT_EQ(l["net"]["family"], AF_INET);
  json a = Syscall("accept", "accept", getpid(), [&](const json& e) {
    return e["kernel"]["args"].contains("addr") &&
           e["kernel"]["args"]["addr"]["port"] == ntohs(peer.sin_port);
  });
  ASSERT_FALSE(a.is_null());
  EXPECT_EQ(a["net"]["saddr"], "127.0.0.1");
  EXPECT_EQ(a["net"]["sport"], port);
  EXPECT_EQ(a["net"]["daddr"], "127.0.0.1");
  EXPECT_EQ(a["net"]["dport"], ntohs(peer.sin_port));
  json bad = Syscall("listen", "listen", getpid(),
                     [&](const json& e) { return e["evt"]["retval"] == -ENOTSOCK; });
  ASSERT_FALSE(bad.is_null());
  EXPECT_EQ(bad["kernel"]["args"]["fd"], file.get());
  EXPECT_FALSE(bad.contains("net") && bad["net"].contains("saddr"));

  auto alerts = Replay(R"(
rule listener {
  desc "listening" severity low
  on listen, accept
  when net.sport == )" + std::to_string(port) +
                           R"(
  output "{evt.type} on {net.saddr}:{net.sport}"
}
policy all { desc "all" scope global rules [listener] }
)",
                       {l, a, bad});
  const std::string local = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(Outputs(alerts), (std::vector<std::string>{"listen on " + local, "accept on " + local}))
      << json(alerts).dump();
}

TEST_F(KernelAttackSyscalls, XattrNamesSizesAndFileCapabilities) {
  TempDir dir;
  const std::string path = dir / "f";
  close(open(path.c_str(), O_CREAT | O_WRONLY, 0755));
  ChildGuard child(Spawn([&] {
    if (setxattr(path.c_str(), "user.vigil", "hello", 5, 0) != 0) return 1;
    // struct vfs_cap_data, revision 2, effective: cap_setuid and cap_net_raw
    uint32_t caps[5] = {VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE,
                        (1u << CAP_SETUID) | (1u << CAP_NET_RAW), 0, 0, 0};
    if (setxattr(path.c_str(), "security.capability", caps, sizeof(caps), 0) != 0) return 2;
    int fd = open(path.c_str(), O_RDONLY);
    if (fsetxattr(fd, "user.fd", "x", 1, XATTR_CREATE) != 0) return 3;
    if (removexattr(path.c_str(), "user.vigil") != 0) return 4;
    if (removexattr(path.c_str(), "user.vigil") != -1 || errno != ENODATA) return 5;
    if (lsetxattr((dir / "missing").c_str(), "user.x", "y", 1, 0) != -1 || errno != ENOENT)
      return 6;
    return 0;
  }));
  ASSERT_EQ(child.Wait(), 0);
  json user = Syscall("xattr", "setxattr", child.pid(),
                      [](const json& e) { return e["xattr"]["name"] == "user.vigil"; });
  ASSERT_FALSE(user.is_null());
  EXPECT_EQ(user["file"]["path"], path);
  EXPECT_EQ(user["xattr"]["size"], 5);
  EXPECT_EQ(user["xattr"]["remove"], false);
  EXPECT_FALSE(user["xattr"].contains("caps"));
  EXPECT_EQ(user["evt"]["retval"], 0);
  json cap = Syscall("xattr", "setxattr", child.pid(),
                     [](const json& e) { return e["xattr"]["name"] == "security.capability"; });
  ASSERT_FALSE(cap.is_null());
  EXPECT_EQ(cap["xattr"]["size"], 20);
  EXPECT_EQ(cap["xattr"]["caps"], (1u << CAP_SETUID) | (1u << CAP_NET_RAW));
  EXPECT_EQ(cap["xattr"]["caps_inheritable"], 0);
  EXPECT_EQ(cap["xattr"]["caps_effective"], true);
  EXPECT_EQ(cap["evt"]["retval"], 0);
  json f = Syscall("xattr", "fsetxattr", child.pid());
  ASSERT_FALSE(f.is_null());
  EXPECT_EQ(f["xattr"]["name"], "user.fd");
  EXPECT_FALSE(f.contains("file"));  // a descriptor, no path
  EXPECT_EQ(f["kernel"]["args"]["flags"], XATTR_CREATE);
  json removed = Syscall("xattr", "removexattr", child.pid(),
                         [](const json& e) { return e["evt"]["retval"] == 0; });
  ASSERT_FALSE(removed.is_null());
  EXPECT_EQ(removed["xattr"]["remove"], true);
  EXPECT_EQ(removed["xattr"]["name"], "user.vigil");
  json gone = Syscall("xattr", "removexattr", child.pid(),
                      [](const json& e) { return e["evt"]["retval"] != 0; });
  ASSERT_FALSE(gone.is_null());
  EXPECT_EQ(gone["evt"]["retval"], -ENODATA);
  json missing = Syscall("xattr", "lsetxattr", child.pid());
  ASSERT_FALSE(missing.is_null());
  EXPECT_EQ(missing["evt"]["retval"], -ENOENT);
  EXPECT_EQ(missing["file"]["path"], dir / "missing");

  auto alerts = Replay(R"(
rule file_caps {
  desc "file capability set" severity high
  on xattr
  when xattr.name == "security.capability" and xattr.caps contains CAP_SETUID
  output "{file.name} gets {xattr.caps} effective={xattr.caps_effective}"
}
policy all { desc "all" scope global rules [file_caps] }
)",
                       {user, cap, f, removed, gone, missing});
  EXPECT_EQ(Outputs(alerts),
            (std::vector<std::string>{"f gets CAP_SETUID|CAP_NET_RAW effective=true"}))
      << json(alerts).dump();
}

TEST_F(KernelAttackSyscalls, UtimesRequestedTimesAndBackdating) {
  TempDir dir;
  const std::string path = dir / "f";
  close(open(path.c_str(), O_CREAT | O_WRONLY, 0600));
  ChildGuard child(Spawn([&] {
    const timespec past[2] = {{1000000000, 5}, {0, UTIME_OMIT}};
    if (utimensat(AT_FDCWD, path.c_str(), past, 0) != 0) return 1;
    if (utimensat(AT_FDCWD, path.c_str(), nullptr, 0) != 0) return 2;
    const timeval tv[2] = {{1, 500000}, {2, 0}};
    if (syscall(SYS_utimes, path.c_str(), tv) != 0) return 3;
    const long ub[2] = {3, 4};  // struct utimbuf
    if (syscall(SYS_utime, path.c_str(), ub) != 0) return 4;
    if (syscall(SYS_futimesat, AT_FDCWD, (dir / "missing").c_str(), tv) != -1 || errno != ENOENT)
      return 5;
    return 0;
  }));
  ASSERT_EQ(child.Wait(), 0);
  json set = Syscall("utimes", "utimensat", child.pid(),
                     [](const json& e) { return e["utimes"]["atime_request"] == "set"; });
  ASSERT_FALSE(set.is_null());
  EXPECT_EQ(set["file"]["path"], path);
  EXPECT_EQ(set["utimes"]["atime"], 1000000000LL * 1000000000LL + 5);
  EXPECT_EQ(set["utimes"]["mtime_request"], "omit");
  EXPECT_FALSE(set["utimes"].contains("mtime"));
  EXPECT_EQ(set["utimes"]["backdated"], true);
  EXPECT_EQ(set["evt"]["retval"], 0);
  json now = Syscall("utimes", "utimensat", child.pid(),
                     [](const json& e) { return e["utimes"]["atime_request"] == "now"; });
  ASSERT_FALSE(now.is_null());
  EXPECT_EQ(now["utimes"]["mtime_request"], "now");
  EXPECT_EQ(now["utimes"]["backdated"], false);
  json u = Syscall("utimes", "utimes", child.pid());
  ASSERT_FALSE(u.is_null());
  EXPECT_EQ(u["utimes"]["atime"], 1500000000LL);
  EXPECT_EQ(u["utimes"]["mtime"], 2000000000LL);
  EXPECT_EQ(u["utimes"]["backdated"], true);
  json old = Syscall("utimes", "utime", child.pid());
  ASSERT_FALSE(old.is_null());
  EXPECT_EQ(old["utimes"]["atime"], 3000000000LL);
  EXPECT_EQ(old["utimes"]["mtime"], 4000000000LL);
  json failed = Syscall("utimes", "futimesat", child.pid());
  ASSERT_FALSE(failed.is_null());
  EXPECT_EQ(failed["evt"]["retval"], -ENOENT);
  EXPECT_EQ(failed["file"]["path"], dir / "missing");
  EXPECT_EQ(failed["utimes"]["mtime"], 2000000000LL);

  auto alerts = Replay(R"(
rule timestomp {
  desc "timestomping" severity medium
  on utimes
  when utimes.backdated
  output "{evt.syscall} {utimes.atime_request}/{utimes.mtime_request} {utimes.mtime}"
}
policy all { desc "all" scope global rules [timestomp] }
)",
                       {set, now, u, old, failed});
  EXPECT_EQ(Outputs(alerts),
            (std::vector<std::string>{"utimensat set/omit <NA>", "utimes set/set 2000000000",
                                      "utime set/set 4000000000", "futimesat set/set 2000000000"}))
      << json(alerts).dump();
}

// The new mount API (util-linux >= 2.39 mounts with it), pivot_root and chroot, in a private
// mount namespace.
TEST_F(KernelAttackSyscalls, NewMountApiPivotRootAndChroot) {
  TempDir dir;
  const std::string target = dir.path();
  ChildGuard child(Spawn([&] {
    if (unshare(CLONE_NEWNS) != 0) return 1;
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return 2;
    if (syscall(SYS_fsopen, "vigil-no-such-fs", 0) != -1 || errno != ENODEV) return 3;
    int fs = static_cast<int>(syscall(SYS_fsopen, "tmpfs", 1 /* FSOPEN_CLOEXEC */));
    if (fs < 0) return 4;
    if (syscall(SYS_fsconfig, fs, 1 /* SET_STRING */, "source", "vigil-e2e-new", 0) != 0) return 5;
    if (syscall(SYS_fsconfig, fs, 6 /* CMD_CREATE */, nullptr, nullptr, 0) != 0) return 6;
    int m = static_cast<int>(syscall(SYS_fsmount, fs, 1 /* FSMOUNT_CLOEXEC */, 0));
    if (m < 0) return 7;
    if (syscall(SYS_move_mount, m, "", AT_FDCWD, target.c_str(), 4 /* F_EMPTY_PATH */) != 0)
      return 8;
    int tree = static_cast<int>(syscall(SYS_open_tree, AT_FDCWD, target.c_str(), 1 /* CLONE */));
    if (tree < 0) return 9;
    if (chroot("/vigil-no-such-dir") != -1 || errno != ENOENT) return 10;
    mkdir((target + "/old").c_str(), 0700);
    long pr = syscall(SYS_pivot_root, target.c_str(), (target + "/old").c_str());
    if (pr != 0) return 50 + errno;
    return chroot("/") == 0 ? 0 : 11;
  }));
  const int status = child.Wait();
  ASSERT_TRUE(WIFEXITED(status));
  const int code = WEXITSTATUS(status);
  ASSERT_TRUE(code == 0 || code > 50) << code;
  const int pivot_ret = code == 0 ? 0 : -(code - 50);
  json nofs = Syscall("mount", "fsopen", child.pid(),
                      [](const json& e) { return e["evt"]["retval"] != 0 && e["evt"]["failed"]; });
  ASSERT_FALSE(nofs.is_null());
  EXPECT_EQ(nofs["mount"]["fstype"], "vigil-no-such-fs");
  EXPECT_EQ(nofs["evt"]["retval"], -ENODEV);
  json open = Syscall("mount", "fsopen", child.pid(),
                      [](const json& e) { return e["mount"]["fstype"] == "tmpfs"; });
  ASSERT_FALSE(open.is_null());
  EXPECT_GE(open["evt"]["retval"], 0);
  json source = Syscall("mount", "fsconfig", child.pid(),
                        [](const json& e) { return e["mount"].contains("config_key"); });
  ASSERT_FALSE(source.is_null());
  EXPECT_EQ(source["mount"]["config_key"], "source");
  EXPECT_EQ(source["mount"]["config_value"], "vigil-e2e-new");
  EXPECT_EQ(source["mount"]["source"], "vigil-e2e-new");
  json create = Syscall("mount", "fsconfig", child.pid(),
                        [](const json& e) { return e["kernel"]["args"]["cmd"] == 6; });
  ASSERT_FALSE(create.is_null());
  EXPECT_FALSE(create["mount"].contains("config_key"));
  json fsm = Syscall("mount", "fsmount", child.pid());
  ASSERT_FALSE(fsm.is_null());
  EXPECT_GE(fsm["evt"]["retval"], 0);
  json move = Syscall("mount", "move_mount", child.pid());
  ASSERT_FALSE(move.is_null());
  EXPECT_EQ(move["mount"]["target"], target);
  EXPECT_EQ(move["kernel"]["args"]["flags"], 4);
  EXPECT_EQ(move["evt"]["retval"], 0);
  json tree = Syscall("mount", "open_tree", child.pid());
  ASSERT_FALSE(tree.is_null());
  EXPECT_EQ(tree["mount"]["source"], target);
  json badroot = Syscall("chroot", "chroot", child.pid(),
                         [](const json& e) { return e["evt"]["retval"] != 0; });
  ASSERT_FALSE(badroot.is_null());
  EXPECT_EQ(badroot["chroot"]["path"], "/vigil-no-such-dir");
  EXPECT_EQ(badroot["evt"]["retval"], -ENOENT);
  json pivot = Syscall("chroot", "pivot_root", child.pid());
  ASSERT_FALSE(pivot.is_null());
  EXPECT_EQ(pivot["chroot"]["path"], target);
  EXPECT_EQ(pivot["chroot"]["put_old"], target + "/old");
  EXPECT_EQ(pivot["evt"]["retval"], pivot_ret);

  auto alerts = Replay(R"(
rule new_api_mount {
  desc "mount through the new API" severity low
  on mount
  when evt.syscall in [fsconfig, move_mount] and not evt.failed
  output "{evt.syscall} source={mount.source} target={mount.target}"
}
rule root_change {
  desc "root changed" severity medium
  on chroot
  when chroot.path startswith "/"
  output "{evt.syscall} {chroot.path} {evt.failed}"
}
policy all { desc "all" scope global rules [new_api_mount, root_change] }
)",
                       {nofs, open, source, create, fsm, move, tree, badroot, pivot});
  EXPECT_EQ(Outputs(alerts),
            (std::vector<std::string>{
                "fsconfig source=vigil-e2e-new target=<NA>", "fsconfig source=<NA> target=<NA>",
                "move_mount source= target=" + target, "chroot /vigil-no-such-dir true",
                "pivot_root " + target + (pivot_ret ? " true" : " false")}))
      << json(alerts).dump();
}

TEST_F(KernelAttackSyscalls, BpfProgramAndMapCreation) {
  ChildGuard child(Spawn([] {
    bpf_insn insns[2] = {};
    insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = 0
    insns[1].code = BPF_JMP | BPF_EXIT;
    static const char license[] = "GPL";
    bpf_attr attr{};
    attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    attr.insn_cnt = 2;
    attr.insns = reinterpret_cast<uint64_t>(insns);
    attr.license = reinterpret_cast<uint64_t>(license);
    std::strcpy(attr.prog_name, "vigil_e2e_prog");
    long prog = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
    if (prog < 0) return 1;
    attr.insn_cnt = 0;  // no instructions: refused
    if (syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)) != -1 || errno != E2BIG) return 2;
    bpf_attr map{};
    map.map_type = BPF_MAP_TYPE_ARRAY;
    map.key_size = 4;
    map.value_size = 8;
    map.max_entries = 1;
    std::strcpy(map.map_name, "vigil_e2e_map");
    long m = syscall(SYS_bpf, BPF_MAP_CREATE, &map, sizeof(map));
    if (m < 0) return 3;
    bpf_attr lookup{};
    uint32_t key = 0;
    uint64_t value = 0;
    lookup.map_fd = static_cast<uint32_t>(m);
    lookup.key = reinterpret_cast<uint64_t>(&key);
    lookup.value = reinterpret_cast<uint64_t>(&value);
    if (syscall(SYS_bpf, BPF_MAP_LOOKUP_ELEM, &lookup, sizeof(lookup)) != 0) return 4;
    return 0;
  }));
  ASSERT_EQ(child.Wait(), 0);
  json load = Syscall("bpf", "bpf", child.pid(), [](const json& e) {
    return e["bpf"]["cmd_name"] == "BPF_PROG_LOAD" && e["evt"]["retval"] >= 0;
  });
  ASSERT_FALSE(load.is_null());
  EXPECT_EQ(load["bpf"]["cmd"], BPF_PROG_LOAD);
  EXPECT_EQ(load["bpf"]["prog"]["type"], BPF_PROG_TYPE_SOCKET_FILTER);
  EXPECT_EQ(load["bpf"]["prog"]["name"], "vigil_e2e_prog");
  json refused = Syscall("bpf", "bpf", child.pid(), [](const json& e) {
    return e["bpf"]["cmd"] == BPF_PROG_LOAD && e["evt"]["retval"] < 0;
  });
  ASSERT_FALSE(refused.is_null());
  EXPECT_EQ(refused["evt"]["retval"], -E2BIG);
  json map = Syscall("bpf", "bpf", child.pid(),
                     [](const json& e) { return e["bpf"]["cmd"] == BPF_MAP_CREATE; });
  ASSERT_FALSE(map.is_null());
  EXPECT_EQ(map["bpf"]["map"]["type"], BPF_MAP_TYPE_ARRAY);
  EXPECT_EQ(map["bpf"]["map"]["name"], "vigil_e2e_map");
  EXPECT_GE(map["evt"]["retval"], 0);
  for (const Received& r : trace_->events()) {
    if (r.event["proc"].value("pid", 0) == child.pid() && r.event["evt"]["type"] == "bpf") {
      EXPECT_NE(r.event["bpf"]["cmd"], BPF_MAP_LOOKUP_ELEM) << r.event.dump();
    }
  }

  auto alerts = Replay(R"(
rule bpf_load {
  desc "BPF program loaded" severity medium
  on bpf
  when bpf.cmd == BPF_PROG_LOAD and bpf.prog.type == BPF_PROG_TYPE_SOCKET_FILTER
  output "{bpf.cmd_name} {bpf.prog.name} {evt.retval}"
}
policy all { desc "all" scope global rules [bpf_load] }
)",
                       {load, refused, map});
  ASSERT_EQ(alerts.size(), 2u) << json(alerts).dump();
  EXPECT_EQ(alerts[0]["output"],
            "BPF_PROG_LOAD vigil_e2e_prog " + std::to_string(load["evt"]["retval"].get<int>()));
  EXPECT_EQ(alerts[1]["output"], "BPF_PROG_LOAD vigil_e2e_prog -7");
}

int vigil_e2e_secret = 4242;  // read by process_vm_readv from a forked copy

TEST_F(KernelAttackSyscalls, RareExploitationSteps) {
  ChildGuard target(Spawn([] {
    pause();
    return 0;
  }));
  const pid_t target_pid = target.pid();
  ChildGuard child(Spawn([&] {
    io_uring_params params{};
    params.flags = IORING_SETUP_CLAMP;
    if (syscall(SYS_io_uring_setup, 4, &params) < 0) return 1;
    if (syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK) < 0) return 2;
    int value = 0;
    iovec local{&value, sizeof(value)}, remote{&vigil_e2e_secret, sizeof(vigil_e2e_secret)};
    if (syscall(SYS_process_vm_readv, target_pid, &local, 1, &remote, 1, 0) != sizeof(value) ||
        value != 4242)
      return 3;
    if (syscall(SYS_process_vm_writev, kNoSuchPid, &local, 1, &remote, 1, 0) != -1 ||
        errno != ESRCH)
      return 4;
    if (personality(ADDR_NO_RANDOMIZE) == -1) return 5;
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "vigil-e2e") < 0) return 6;
    if (syscall(SYS_keyctl, KEYCTL_REVOKE, 0) != -1) return 7;  // no key 0
    return 0;
  }));
  ASSERT_EQ(child.Wait(), 0);
  json uring = Syscall("io_uring_setup", "io_uring_setup", child.pid());
  ASSERT_FALSE(uring.is_null());
  EXPECT_EQ(uring["io_uring"]["entries"], 4);
  EXPECT_EQ(uring["io_uring"]["flags"], IORING_SETUP_CLAMP);
  EXPECT_GE(uring["evt"]["retval"], 0);
  json uffd = Syscall("userfaultfd", "userfaultfd", child.pid());
  ASSERT_FALSE(uffd.is_null());
  EXPECT_EQ(uffd["userfaultfd"]["flags"], O_CLOEXEC | O_NONBLOCK);
  EXPECT_GE(uffd["evt"]["retval"], 0);
  json rd = Syscall("process_vm", "process_vm_readv", child.pid());
  ASSERT_FALSE(rd.is_null());
  EXPECT_EQ(rd["process_vm"]["target"]["pid"], target_pid);
  EXPECT_EQ(rd["process_vm"]["write"], false);
  EXPECT_EQ(rd["evt"]["retval"], sizeof(int));
  json wr = Syscall("process_vm", "process_vm_writev", child.pid());
  ASSERT_FALSE(wr.is_null());
  EXPECT_EQ(wr["process_vm"]["target"]["pid"], kNoSuchPid);
  EXPECT_EQ(wr["process_vm"]["write"], true);
  EXPECT_EQ(wr["evt"]["retval"], -ESRCH);
  json pers = Syscall("personality", "personality", child.pid());
  ASSERT_FALSE(pers.is_null());
  EXPECT_EQ(pers["personality"]["persona"], ADDR_NO_RANDOMIZE);
  EXPECT_GE(pers["evt"]["retval"], 0);
  json join = Syscall("keyctl", "keyctl", child.pid(), [](const json& e) {
    return e["keyctl"]["op"] == KEYCTL_JOIN_SESSION_KEYRING;
  });
  ASSERT_FALSE(join.is_null());
  EXPECT_GT(join["evt"]["retval"], 0);
  json revoke = Syscall("keyctl", "keyctl", child.pid(),
                        [](const json& e) { return e["keyctl"]["op"] == KEYCTL_REVOKE; });
  ASSERT_FALSE(revoke.is_null());
  EXPECT_LT(revoke["evt"]["retval"], 0);

  auto alerts = Replay(R"(
rule rare {
  desc "rare steps" severity medium
  on io_uring_setup, userfaultfd, process_vm, personality, keyctl
  when evt.type in [io_uring_setup, userfaultfd] or process_vm.write or
       personality.persona contains ADDR_NO_RANDOMIZE or keyctl.op == KEYCTL_JOIN_SESSION_KEYRING
  output "{evt.syscall}"
}
policy all { desc "all" scope global rules [rare] }
)",
                       {uring, uffd, rd, wr, pers, join, revoke});
  EXPECT_EQ(Outputs(alerts),
            (std::vector<std::string>{"io_uring_setup", "userfaultfd", "process_vm_writev",
                                      "personality", "keyctl"}))
      << json(alerts).dump();
}

}  // namespace
}  // namespace vigil::e2e
