// The syscalls vigil traces, from the one table in bpf/events.h, with what user space needs on top:
// the x86-64 syscall number (for the raw_syscalls fallback) and the name and kind of each argument
// (for decoding and output).
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace vigil::kernel {

enum class ArgKind : uint8_t { kNone, kS32, kU32, kU64, kS64 };

struct ArgRole {
  const char* name = nullptr;  // nullptr ends the list
  int8_t index = -1;
  ArgKind kind = ArgKind::kNone;
};

struct SyscallInfo {
  uint16_t id;  // enum vigil_syscall_id
  const char* name;
  uint16_t event;                           // enum vigil_event_type
  long nr;                                  // syscall number on this architecture
  std::array<const char*, 3> string_names;  // JSON names of str0, str1, str2 (nullptr: unused)
  std::array<ArgRole, 5> args;
};

std::span<const SyscallInfo> AllSyscalls();
const SyscallInfo* SyscallById(uint16_t id);

}  // namespace vigil::kernel
