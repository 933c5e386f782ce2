#include "agent/kill_guard.h"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>

namespace vigil::agent {
namespace {

constexpr uint64_t kPfKthread = 0x00200000;  // task->flags of a kernel thread

}  // namespace

std::optional<ProcStat> ReadProcStat(const std::string& proc_root, pid_t pid) {
  std::ifstream in(proc_root + "/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // "PID (COMM) STATE PPID PGRP SESSION TTY TPGID FLAGS ...": COMM may hold anything, so the
  // fields start after its last ')'.
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 1));
  std::string state;
  int64_t ppid = 0, pgrp = 0, session = 0, tty = 0, tpgid = 0;
  uint64_t flags = 0;
  if (!(fields >> state >> ppid >> pgrp >> session >> tty >> tpgid >> flags)) return std::nullopt;
  return ProcStat{static_cast<pid_t>(ppid), (flags & kPfKthread) != 0};
}

KillGuard KillGuard::ForThisProcess(std::vector<std::string> protected_exes,
                                    const std::string& proc_root) {
  std::vector<pid_t> ancestors;
  pid_t pid = ::getpid();
  for (int depth = 0; depth < 4096; ++depth) {
    auto st = ReadProcStat(proc_root, pid);
    if (!st || st->ppid <= 0) break;
    ancestors.push_back(st->ppid);
    pid = st->ppid;
  }
  return KillGuard(::getpid(), std::move(ancestors), std::move(protected_exes), proc_root);
}

KillGuard::KillGuard(pid_t self, std::vector<pid_t> ancestors,
                     std::vector<std::string> protected_exes, std::string proc_root)
    : self_(self),
      ancestors_(ancestors.begin(), ancestors.end()),
      protected_exes_(protected_exes.begin(), protected_exes.end()),
      proc_root_(std::move(proc_root)) {}

std::optional<std::string> KillGuard::WhyProtected(pid_t pid, const std::string& exe) const {
  if (pid == self_) return "it is vigil itself";
  if (pid == 1) return "it is PID 1";
  if (pid <= 0) return "it has no valid pid";
  if (ancestors_.count(pid)) return "it is an ancestor of vigil";
  if (!exe.empty() && protected_exes_.count(exe))
    return "its executable " + exe + " is protected (--protect)";
  auto st = ReadProcStat(proc_root_, pid);
  if (st && st->kernel_thread) return "it is a kernel thread";
  return std::nullopt;
}

std::vector<uint32_t> KillGuard::tgids() const {
  std::vector<uint32_t> out{static_cast<uint32_t>(self_)};
  for (pid_t p : ancestors_) out.push_back(static_cast<uint32_t>(p));
  return out;
}

}  // namespace vigil::agent
