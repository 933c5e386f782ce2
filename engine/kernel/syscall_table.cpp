#include "kernel/syscall_table.h"

#include <sys/syscall.h>

#include "bpf/events.h"

namespace vigil::kernel {
namespace {

using K = ArgKind;

// Numbers glibc's headers lack or name differently: the kernel's umount is x86-64 umount2, and
// fchmodat2 (Linux 6.6) is newer than Debian 12's headers.
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#define SYS_umount SYS_umount2

struct Names {
  std::array<const char*, 3> strings;
  std::array<ArgRole, 5> args;
};

// One row per VIGIL_SYSCALLS row, in the same order (checked below).
const Names kNames[] = {
    /* open */ {{"path"}, {{{"flags", 1, K::kU32}, {"mode", 2, K::kU32}}}},
    /* openat */ {{"path"}, {{{"dirfd", 0, K::kS32}, {"flags", 2, K::kU32}, {"mode", 3, K::kU32}}}},
    /* openat2 */ {{"path"}, {{{"dirfd", 0, K::kS32}}}},  // flags/mode from struct open_how
    /* creat */ {{"path"}, {{{"mode", 1, K::kU32}}}},
    /* connect */ {{}, {{{"fd", 0, K::kS32}}}},
    /* accept */ {{}, {{{"fd", 0, K::kS32}}}},
    /* accept4 */ {{}, {{{"fd", 0, K::kS32}, {"flags", 3, K::kU32}}}},
    /* bind */ {{}, {{{"fd", 0, K::kS32}}}},
    /* listen */ {{}, {{{"fd", 0, K::kS32}, {"backlog", 1, K::kS32}}}},
    /* socket */ {{}, {{{"family", 0, K::kS32}, {"type", 1, K::kS32}, {"protocol", 2, K::kS32}}}},
    /* ptrace */
    {{},
     {{{"request", 0, K::kS64},
       {"target_pid", 1, K::kS32},
       {"addr", 2, K::kU64},
       {"data", 3, K::kU64}}}},
    /* memfd_create */ {{"name"}, {{{"flags", 1, K::kU32}}}},
    /* unlink */ {{"path"}, {}},
    /* unlinkat */ {{"path"}, {{{"dirfd", 0, K::kS32}, {"flags", 2, K::kU32}}}},
    /* rename */ {{"path", "newpath"}, {}},
    /* renameat */ {{"path", "newpath"}, {{{"olddirfd", 0, K::kS32}, {"newdirfd", 2, K::kS32}}}},
    /* renameat2 */
    {{"path", "newpath"},
     {{{"olddirfd", 0, K::kS32}, {"newdirfd", 2, K::kS32}, {"flags", 4, K::kU32}}}},
    /* link */ {{"path", "newpath"}, {}},
    /* linkat */
    {{"path", "newpath"},
     {{{"olddirfd", 0, K::kS32}, {"newdirfd", 2, K::kS32}, {"flags", 4, K::kU32}}}},
    /* symlink */ {{"target", "path"}, {}},
    /* symlinkat */ {{"target", "path"}, {{{"newdirfd", 1, K::kS32}}}},
    /* chmod */ {{"path"}, {{{"mode", 1, K::kU32}}}},
    /* fchmod */ {{}, {{{"fd", 0, K::kS32}, {"mode", 1, K::kU32}}}},
    /* fchmodat */ {{"path"}, {{{"dirfd", 0, K::kS32}, {"mode", 2, K::kU32}}}},
    /* fchmodat2 */
    {{"path"}, {{{"dirfd", 0, K::kS32}, {"mode", 2, K::kU32}, {"flags", 3, K::kU32}}}},
    /* chown */ {{"path"}, {{{"uid", 1, K::kS32}, {"gid", 2, K::kS32}}}},
    /* lchown */ {{"path"}, {{{"uid", 1, K::kS32}, {"gid", 2, K::kS32}}}},
    /* fchown */ {{}, {{{"fd", 0, K::kS32}, {"uid", 1, K::kS32}, {"gid", 2, K::kS32}}}},
    /* fchownat */
    {{"path"},
     {{{"dirfd", 0, K::kS32}, {"uid", 2, K::kS32}, {"gid", 3, K::kS32}, {"flags", 4, K::kU32}}}},
    /* setuid */ {{}, {{{"uid", 0, K::kS32}}}},
    /* setreuid */ {{}, {{{"ruid", 0, K::kS32}, {"euid", 1, K::kS32}}}},
    /* setresuid */ {{}, {{{"ruid", 0, K::kS32}, {"euid", 1, K::kS32}, {"suid", 2, K::kS32}}}},
    /* setgid */ {{}, {{{"gid", 0, K::kS32}}}},
    /* setregid */ {{}, {{{"rgid", 0, K::kS32}, {"egid", 1, K::kS32}}}},
    /* setresgid */ {{}, {{{"rgid", 0, K::kS32}, {"egid", 1, K::kS32}, {"sgid", 2, K::kS32}}}},
    /* mount */ {{"source", "target", "fstype"}, {{{"flags", 3, K::kU64}}}},
    /* umount */ {{"target"}, {{{"flags", 1, K::kU32}}}},
    /* init_module */ {{nullptr, "params"}, {{{"len", 1, K::kU64}}}},
    /* finit_module */ {{nullptr, "params"}, {{{"fd", 0, K::kS32}, {"flags", 2, K::kU32}}}},
    /* kill */ {{}, {{{"target_pid", 0, K::kS32}, {"signal", 1, K::kS32}}}},
    /* tkill */ {{}, {{{"target_tid", 0, K::kS32}, {"signal", 1, K::kS32}}}},
    /* tgkill */
    {{}, {{{"target_pid", 0, K::kS32}, {"target_tid", 1, K::kS32}, {"signal", 2, K::kS32}}}},
    /* prctl */ {{"name"}, {{{"option", 0, K::kS32}, {"arg2", 1, K::kU64}}}},
    /* setns */ {{}, {{{"fd", 0, K::kS32}, {"nstype", 1, K::kS32}}}},
};
static_assert(sizeof(kNames) / sizeof(kNames[0]) == VIGIL_SC_MAX - 1,
              "one argument-name row per VIGIL_SYSCALLS row");

std::array<SyscallInfo, VIGIL_SC_MAX - 1> BuildTable() {
  std::array<SyscallInfo, VIGIL_SC_MAX - 1> table{};
  size_t i = 0;
#define VIGIL_X_INFO(sc, evt, ...)                                                              \
  table[i] = SyscallInfo{VIGIL_SC_##sc, #sc, evt, SYS_##sc, kNames[i].strings, kNames[i].args}; \
  ++i;
  VIGIL_SYSCALLS(VIGIL_X_INFO)
#undef VIGIL_X_INFO
  return table;
}

const std::array<SyscallInfo, VIGIL_SC_MAX - 1> kTable = BuildTable();

}  // namespace

std::span<const SyscallInfo> AllSyscalls() {
  return kTable;
}

const SyscallInfo* SyscallById(uint16_t id) {
  if (id == 0 || id >= VIGIL_SC_MAX) return nullptr;
  return &kTable[id - 1];
}

}  // namespace vigil::kernel
