// What this kernel lets vigil see of a set of event types before anything is loaded: the
// selected syscalls that have no per-syscall tracepoint. Without the raw_syscalls fallback
// (`--raw-syscalls`, docs/kernel.md) their events are not seen; `vigil compile --explain`
// prints this, and the session logs the same at attach.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "util/result.h"

namespace vigil::runtime {

// Event type -> its syscalls with no syscalls:sys_enter_/sys_exit_ tracepoint under `root`
// (types whose syscalls all have one are left out). An error when `root` has no readable
// syscalls tracepoints at all (tracefs not mounted, or not readable without root).
Result<std::map<uint16_t, std::vector<std::string>>> SyscallsWithoutTracepoint(
    const std::set<uint16_t>& types, const std::string& root = "/sys/kernel/tracing");

}  // namespace vigil::runtime
