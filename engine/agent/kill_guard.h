// The processes `action kill` never kills, and why: vigil itself, its ancestors (the shell or
// service manager that started it), PID 1, kernel threads, and the executables the operator
// protects (`vigil run --protect PATH`). The user-space kill asks WhyProtected; the kernel's
// kill at exec checks the same list in its kill_protected map (tgids(), exe paths).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace vigil::agent {

class KillGuard {
 public:
  // The guard of the calling process: its ancestors are read from `proc_root`/PID/stat.
  static KillGuard ForThisProcess(std::vector<std::string> protected_exes,
                                  const std::string& proc_root = "/proc");
  KillGuard(pid_t self, std::vector<pid_t> ancestors, std::vector<std::string> protected_exes,
            std::string proc_root);

  // Why the process `pid`, running `exe` (empty when unknown), must not be killed ("it is vigil
  // itself", ...), or nullopt when it may be.
  std::optional<std::string> WhyProtected(pid_t pid, const std::string& exe) const;

  // vigil and its ancestors, for the kernel's map.
  std::vector<uint32_t> tgids() const;
  const std::set<std::string>& protected_exes() const { return protected_exes_; }

 private:
  pid_t self_;
  std::set<pid_t> ancestors_;
  std::set<std::string> protected_exes_;
  std::string proc_root_;
};

// The parent pid and the kernel-thread flag from `proc_root`/PID/stat; nullopt when unreadable.
struct ProcStat {
  pid_t ppid = 0;
  bool kernel_thread = false;
};
std::optional<ProcStat> ReadProcStat(const std::string& proc_root, pid_t pid);

}  // namespace vigil::agent
