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
// The *xattrat calls (Linux 6.13) are newer than Debian 12's headers.
#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#endif
#ifndef SYS_removexattrat
#define SYS_removexattrat 466
#endif

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
    /* setfsuid */ {{}, {{{"fsuid", 0, K::kS32}}}},
    /* setfsgid */ {{}, {{{"fsgid", 0, K::kS32}}}},
    /* capset */ {{}, {}},  // the header and sets are read from user memory (capset.* fields)
    /* unshare */ {{}, {{{"flags", 0, K::kU64}}}},
    /* clone */ {{}, {{{"flags", 0, K::kU64}}}},
    /* clone3 */ {{}, {{{"size", 1, K::kU64}}}},  // flags from struct clone_args
    /* dup */ {{}, {{{"oldfd", 0, K::kS32}}}},
    /* dup2 */ {{}, {{{"oldfd", 0, K::kS32}, {"newfd", 1, K::kS32}}}},
    /* dup3 */ {{}, {{{"oldfd", 0, K::kS32}, {"newfd", 1, K::kS32}, {"flags", 2, K::kU32}}}},
    /* fcntl */ {{}, {{{"oldfd", 0, K::kS32}, {"cmd", 1, K::kS32}, {"arg", 2, K::kU64}}}},
    /* setxattr */ {{"path", "name"}, {{{"size", 3, K::kU64}, {"flags", 4, K::kS32}}}},
    /* lsetxattr */ {{"path", "name"}, {{{"size", 3, K::kU64}, {"flags", 4, K::kS32}}}},
    /* fsetxattr */
    {{nullptr, "name"}, {{{"fd", 0, K::kS32}, {"size", 3, K::kU64}, {"flags", 4, K::kS32}}}},
    /* setxattrat */
    {{"path", "name"}, {{{"dirfd", 0, K::kS32}, {"at_flags", 2, K::kU32}}}},  // size: struct
    /* removexattr */ {{"path", "name"}, {}},
    /* lremovexattr */ {{"path", "name"}, {}},
    /* fremovexattr */ {{nullptr, "name"}, {{{"fd", 0, K::kS32}}}},
    /* removexattrat */ {{"path", "name"}, {{{"dirfd", 0, K::kS32}, {"at_flags", 2, K::kU32}}}},
    /* utimensat */ {{"path"}, {{{"dirfd", 0, K::kS32}, {"flags", 3, K::kU32}}}},
    /* futimesat */ {{"path"}, {{{"dirfd", 0, K::kS32}}}},
    /* utimes */ {{"path"}, {}},
    /* utime */ {{"path"}, {}},
    /* fsopen */ {{nullptr, nullptr, "fstype"}, {{{"flags", 1, K::kU32}}}},
    /* fsconfig */
    {{"value", nullptr, "key"}, {{{"fd", 0, K::kS32}, {"cmd", 1, K::kU32}, {"aux", 4, K::kS32}}}},
    /* fsmount */ {{}, {{{"fd", 0, K::kS32}, {"flags", 1, K::kU32}, {"attr_flags", 2, K::kU32}}}},
    /* move_mount */
    {{"source", "target"},
     {{{"from_dirfd", 0, K::kS32}, {"to_dirfd", 2, K::kS32}, {"flags", 4, K::kU32}}}},
    /* open_tree */ {{"source"}, {{{"dirfd", 0, K::kS32}, {"flags", 2, K::kU32}}}},
    /* mount_setattr */ {{"target"}, {{{"dirfd", 0, K::kS32}, {"flags", 2, K::kU32}}}},
    /* chroot */ {{"path"}, {}},
    /* pivot_root */ {{"path", "put_old"}, {}},
    /* bpf */ {{}, {{{"cmd", 0, K::kS32}, {"size", 2, K::kU32}}}},
    /* io_uring_setup */ {{}, {{{"entries", 0, K::kU32}}}},
    /* userfaultfd */ {{}, {{{"flags", 0, K::kU32}}}},
    /* process_vm_readv */
    {{},
     {{{"target_pid", 0, K::kS32},
       {"liovcnt", 2, K::kU64},
       {"riovcnt", 4, K::kU64},
       {"flags", 5, K::kU64}}}},
    /* process_vm_writev */
    {{},
     {{{"target_pid", 0, K::kS32},
       {"liovcnt", 2, K::kU64},
       {"riovcnt", 4, K::kU64},
       {"flags", 5, K::kU64}}}},
    /* personality */ {{}, {{{"persona", 0, K::kU32}}}},
    /* keyctl */ {{}, {{{"option", 0, K::kS32}, {"arg2", 1, K::kU64}, {"arg3", 2, K::kU64}}}},
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
