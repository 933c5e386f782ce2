// Drives the real `vigil trace` binary for the kernel e2e tests: starts it with arguments, waits
// until its programs are attached, collects its JSON lines, and stops it with SIGINT to read the
// stats line. Also small helpers to run trigger code in child processes. Everything it starts is
// killed and reaped by the destructors, whether the test passed or not.
#pragma once

#include <netinet/in.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace vigil::e2e {

// Why the kernel e2e tests cannot run here ("" when they can), and whether CI demands them.
std::string BpfUnavailableReason();
bool BpfRequired();

// Skips the test when not root or BPF is missing; fails instead under VIGIL_REQUIRE_BPF=1.
#define VIGIL_REQUIRE_BPF()                                                       \
  do {                                                                            \
    const std::string why_ = ::vigil::e2e::BpfUnavailableReason();                \
    if (!why_.empty()) {                                                          \
      if (::vigil::e2e::BpfRequired()) FAIL() << "VIGIL_REQUIRE_BPF=1: " << why_; \
      GTEST_SKIP() << why_;                                                       \
    }                                                                             \
  } while (0)

struct Received {
  nlohmann::json event;
  uint64_t boottime_at_read_ns = 0;
};

class TraceProcess {
 public:
  explicit TraceProcess(std::vector<std::string> args);
  ~TraceProcess();

  // True once vigil printed "ready" (programs attached); false on timeout or early exit.
  bool WaitReady(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Waits until some event satisfies `pred`; returns it (or null json on timeout).
  nlohmann::json WaitFor(const std::function<bool(const nlohmann::json&)>& pred,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Stops vigil with SIGINT and collects everything; returns its exit status.
  int Stop();

  std::vector<Received> events() const;
  const std::string& stderr_text() const { return stderr_; }
  // key=value numbers of the final stats line (after Stop).
  std::map<std::string, uint64_t> stats() const;
  size_t malformed_lines() const { return malformed_; }

 private:
  void ReadStdout();
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Received> events_;
  std::string stderr_;
  size_t malformed_ = 0;
  bool stdout_closed_ = false;
  int status_ = -1;
};

// Forks a child that runs `body` and exits with its return value. The child pid is returned;
// ChildGuard kills and reaps it on destruction if the test did not.
pid_t Spawn(const std::function<int()>& body);
int WaitExit(pid_t pid);  // wait status

class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid) : pid_(pid) {}
  ~ChildGuard();
  pid_t pid() const { return pid_; }
  int Wait();

 private:
  pid_t pid_;
  bool reaped_ = false;
};

uint64_t BoottimeNs();
// Field 22 of /proc/PID/stat (start time in clock ticks); 0 if unreadable.
uint64_t ProcStartTicks(pid_t pid);
uint64_t NamespaceInode(const std::string& path);

// An owned file descriptor, closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release();
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

// A temporary directory removed (with what the test left in it) at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A TCP listener on 127.0.0.1 at a port the kernel picks; its socket is closed on destruction.
class LoopbackListener {
 public:
  explicit LoopbackListener(int backlog);
  bool ok() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }
  int port() const;  // host byte order
  const sockaddr_in& address() const { return addr_; }
  UniqueFd Accept(sockaddr_in* peer = nullptr);  // blocks for the next connection
  // A new socket connected to the listener (invalid on failure).
  UniqueFd Connect() const;

 private:
  UniqueFd fd_;
  sockaddr_in addr_{};
};

// A pipe (both ends close-on-exec) through which a test holds back children it spawned: each
// child calls Pass() and blocks until the test calls Open() or the gate is destroyed. The
// children can also report a number (a pid) back with Tell(), read by the test with Hear().
class Gate {
 public:
  Gate();
  // In the child: drops the child's copy of the open end, then waits for the test.
  void Pass();
  // In the test: lets every child through.
  void Open();
  // Child -> test: a number, and the test's read of it (false after `timeout` or on EOF).
  void Tell(int64_t value);
  bool Hear(int64_t* value, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  UniqueFd hold_read_, hold_write_;  // the gate
  UniqueFd back_read_, back_write_;  // child -> test
};

// Mount point of the cgroup v2 hierarchy ("" when there is none).
std::string Cgroup2Root();
// cgroup v2 id of a process: the inode of its directory in that hierarchy (0 if unknown).
uint64_t CgroupIdOf(pid_t pid);

// A cgroup v2 directory created for one test and removed at scope exit, after the processes
// still in it (which must be the test's own, already killed or about to exit) are moved to
// the root cgroup.
class TempCgroup {
 public:
  explicit TempCgroup(const std::string& name);
  ~TempCgroup();
  TempCgroup(const TempCgroup&) = delete;
  TempCgroup& operator=(const TempCgroup&) = delete;
  bool ok() const { return id_ != 0; }
  const std::string& path() const { return path_; }
  uint64_t id() const { return id_; }  // the directory's inode, which is the kernel's cgroup id
  bool Add(pid_t pid) const;

 private:
  std::string root_;
  std::string path_;
  uint64_t id_ = 0;
};

// Event type and pid filters for WaitFor.
std::function<bool(const nlohmann::json&)> Is(const std::string& type, pid_t pid);

}  // namespace vigil::e2e
