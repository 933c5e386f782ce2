// Drives the real `vigil trace` binary for the kernel e2e tests: starts it with arguments, waits
// until its programs are attached, collects its JSON lines, and stops it with SIGINT to read the
// stats line. Also small helpers to run trigger code in child processes. Everything it starts is
// killed and reaped by the destructors, whether the test passed or not.
#pragma once

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
std::string EntityHex(uint64_t entity);
uint64_t NamespaceInode(const std::string& path);

// Event type and pid filters for WaitFor.
std::function<bool(const nlohmann::json&)> Is(const std::string& type, pid_t pid);

}  // namespace vigil::e2e
