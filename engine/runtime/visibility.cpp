#include "runtime/visibility.h"

#include <sys/stat.h>

#include "kernel/syscall_table.h"
#include "kernel/tracefs.h"

namespace vigil::runtime {

Result<std::map<uint16_t, std::vector<std::string>>> SyscallsWithoutTracepoint(
    const std::set<uint16_t>& types, const std::string& root) {
  struct stat st {};
  const std::string dir = root + "/events/syscalls";
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Error{"cannot read " + dir + " (tracefs not mounted, or not readable without root)"};
  std::map<uint16_t, std::vector<std::string>> out;
  for (const auto& sc : kernel::AllSyscalls()) {
    if (!types.count(sc.event)) continue;
    const std::string name = sc.name;
    if (!kernel::TracepointExists(root, "syscalls", "sys_enter_" + name) ||
        !kernel::TracepointExists(root, "syscalls", "sys_exit_" + name))
      out[sc.event].push_back(name);
  }
  return out;
}

}  // namespace vigil::runtime
