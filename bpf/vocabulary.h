/* The vocabulary every stage shares: the event types and the scope filter kinds. Each is one
 * X-macro table; the C enums below (used by the BPF programs and engine/kernel), the language's
 * lang::EventType and lang::ScopeFilterKind, their names and descriptions are all generated from
 * these rows, so they agree by construction and share one numbering. Valid C: included by the
 * BPF programs through bpf/events.h. docs/architecture.md, "How to add an event type", says what
 * else a new row needs. */
#ifndef VIGIL_BPF_VOCABULARY_H
#define VIGIL_BPF_VOCABULARY_H

/* ---- event types ------------------------------------------------------------------------
 * X(ID, Name, name, origin, sources, description)
 *   ID           VIGIL_EVT_<ID> in C and the BPF programs
 *   Name         lang::EventType::k<Name> in C++
 *   name         the name users write (`on open`, `--events open`, JSON "type")
 *   origin       what produces it: LIFECYCLE (sched tracepoints, always attached), SYSCALL (rows
 *                of VIGIL_SYSCALLS in bpf/events.h), SOCK_STATE (sock:inet_sock_set_state)
 *   sources      the syscalls or tracepoints behind it, for `vigil fields` and docs/events.md
 *   description  one line for `vigil fields`
 * The row number is the event type's value everywhere: in record headers, the events map, and
 * as bit i of lang::EventMask. */
#define VIGIL_EVENT_TYPES(X)                                                                     \
  X(EXEC, Exec, "exec", LIFECYCLE, "tracepoint sched:sched_process_exec",                        \
    "A process replaced its image")                                                              \
  X(FORK, Fork, "fork", LIFECYCLE, "tracepoint sched:sched_process_fork",                        \
    "A process or thread was created")                                                           \
  X(EXIT, Exit, "exit", LIFECYCLE, "tracepoint sched:sched_process_exit", "A process exited")    \
  X(OPEN, Open, "open", SYSCALL, "open, openat, openat2, creat", "A file was opened or created") \
  X(CONNECT, Connect, "connect", SYSCALL, "connect", "A socket connected to a peer")             \
  X(ACCEPT, Accept, "accept", SYSCALL, "accept, accept4",                                        \
    "A listening socket accepted a connection")                                                  \
  X(BIND, Bind, "bind", SYSCALL, "bind", "A socket was bound to a local address")                \
  X(LISTEN, Listen, "listen", SYSCALL, "listen",                                                 \
    "A socket started listening (with its local address)")                                       \
  X(SOCKET, Socket, "socket", SYSCALL, "socket", "A socket was created")                         \
  X(TCP_STATE, TcpState, "tcp_state", SOCK_STATE, "tracepoint sock:inet_sock_set_state",         \
    "A TCP socket changed state (softirq context, own ring buffer)")                             \
  X(PTRACE, Ptrace, "ptrace", SYSCALL, "ptrace", "A process traced another")                     \
  X(MEMFD_CREATE, MemfdCreate, "memfd_create", SYSCALL, "memfd_create",                          \
    "An anonymous memory file was created")                                                      \
  X(UNLINK, Unlink, "unlink", SYSCALL, "unlink, unlinkat", "A file or directory was removed")    \
  X(RENAME, Rename, "rename", SYSCALL, "rename, renameat, renameat2", "A file was renamed")      \
  X(LINK, Link, "link", SYSCALL, "link, linkat", "A hard link was created")                      \
  X(SYMLINK, Symlink, "symlink", SYSCALL, "symlink, symlinkat", "A symbolic link was created")   \
  X(CHMOD, Chmod, "chmod", SYSCALL, "chmod, fchmod, fchmodat, fchmodat2",                        \
    "File permissions changed")                                                                  \
  X(CHOWN, Chown, "chown", SYSCALL, "chown, fchown, lchown, fchownat", "File ownership changed") \
  X(SETUID, Setuid, "setuid", SYSCALL, "setuid, setreuid, setresuid, setfsuid",                  \
    "A process changed (or tried to change) its user ids")                                       \
  X(SETGID, Setgid, "setgid", SYSCALL, "setgid, setregid, setresgid, setfsgid",                  \
    "A process changed (or tried to change) its group ids")                                      \
  X(MOUNT, Mount, "mount", SYSCALL,                                                              \
    "mount, fsopen, fsconfig, fsmount, move_mount, open_tree, mount_setattr",                    \
    "A file system was mounted (or a step of the new mount API)")                                \
  X(UMOUNT, Umount, "umount", SYSCALL, "umount2", "A file system was unmounted")                 \
  X(MODULE_LOAD, ModuleLoad, "module_load", SYSCALL, "init_module, finit_module",                \
    "A kernel module load was attempted")                                                        \
  X(KILL, Kill, "kill", SYSCALL, "kill, tkill, tgkill", "A signal was sent")                     \
  X(PRCTL, Prctl, "prctl", SYSCALL, "prctl", "A process changed one of its attributes")          \
  X(SETNS, Setns, "setns", SYSCALL, "setns", "A process joined another namespace")               \
  X(CAPSET, Capset, "capset", SYSCALL, "capset",                                                 \
    "A process changed (or tried to change) its capability sets")                                \
  X(NS_CREATE, NsCreate, "ns_create", SYSCALL, "unshare, clone, clone3 (with CLONE_NEW* flags)", \
    "A process created namespaces (a user namespace, ...)")                                      \
  X(DUP, Dup, "dup", SYSCALL, "dup, dup2, dup3, fcntl (F_DUPFD*) onto 0, 1 or 2",                \
    "A descriptor was duplicated onto a standard stream")                                        \
  X(XATTR, Xattr, "xattr", SYSCALL,                                                              \
    "setxattr, lsetxattr, fsetxattr, setxattrat, removexattr, lremovexattr, fremovexattr, "      \
    "removexattrat",                                                                             \
    "An extended attribute was set or removed")                                                  \
  X(UTIMES, Utimes, "utimes", SYSCALL, "utimensat, futimesat, utimes, utime",                    \
    "A file's access or modification time was set")                                              \
  X(CHROOT, Chroot, "chroot", SYSCALL, "chroot, pivot_root", "A process changed its root")       \
  X(BPF, Bpf, "bpf", SYSCALL,                                                                    \
    "bpf (MAP_CREATE, PROG_LOAD, PROG_ATTACH, PROG_DETACH, RAW_TRACEPOINT_OPEN, BTF_LOAD, "      \
    "LINK_CREATE)",                                                                              \
    "A BPF program or map was created or attached")                                              \
  X(IO_URING_SETUP, IoUringSetup, "io_uring_setup", SYSCALL, "io_uring_setup",                   \
    "An io_uring instance was created")                                                          \
  X(USERFAULTFD, Userfaultfd, "userfaultfd", SYSCALL, "userfaultfd",                             \
    "A userfaultfd object was created")                                                          \
  X(PROCESS_VM, ProcessVm, "process_vm", SYSCALL, "process_vm_readv, process_vm_writev",         \
    "A process read or wrote another process's memory")                                          \
  X(PERSONALITY, Personality, "personality", SYSCALL, "personality",                             \
    "A process changed its execution domain (ADDR_NO_RANDOMIZE, ...)")                           \
  X(KEYCTL, Keyctl, "keyctl", SYSCALL, "keyctl", "A process used the kernel key store")

enum vigil_event_type {
#define VIGIL_X_EVT_ENUM(ID, ...) VIGIL_EVT_##ID,
  VIGIL_EVENT_TYPES(VIGIL_X_EVT_ENUM)
#undef VIGIL_X_EVT_ENUM
      VIGIL_EVT_MAX /* the number of event types; never a type */
};

enum vigil_event_origin {
  VIGIL_ORIGIN_LIFECYCLE = 0,
  VIGIL_ORIGIN_SYSCALL,
  VIGIL_ORIGIN_SOCK_STATE,
};

/* ---- scope filter kinds -----------------------------------------------------------------
 * X(ID, Name, name, values)
 *   ID      VIGIL_SCOPE_<ID> in C: the index into the policy config's per-kind bitmaps
 *   Name    lang::ScopeFilterKind::k<Name> in C++
 *   name    the name users write in a scope (`scope uid >= 1000`)
 *   values  what the filter compares, for the language (engine/lang/policies.cpp): Number
 *           (`uid in [0, 1000..1999]`), String (`comm in ["sshd"]`) or Flag (a condition on
 *           its own: `container`) */
#define VIGIL_SCOPE_KINDS(X)                 \
  X(UID, Uid, "uid", Number)                 \
  X(GID, Gid, "gid", Number)                 \
  X(PID, Pid, "pid", Number)                 \
  X(COMM, Comm, "comm", String)              \
  X(BINARY, Binary, "binary", String)        \
  X(MNTNS, Mntns, "mntns", Number)           \
  X(PIDNS, Pidns, "pidns", Number)           \
  X(UTS, Uts, "uts", String)                 \
  X(CGROUP, Cgroup, "cgroup", Number)        \
  X(CONTAINER, Container, "container", Flag) \
  X(NEW, New, "new", Flag)

enum vigil_scope_kind {
#define VIGIL_X_SCOPE_ENUM(ID, ...) VIGIL_SCOPE_##ID,
  VIGIL_SCOPE_KINDS(VIGIL_X_SCOPE_ENUM)
#undef VIGIL_X_SCOPE_ENUM
      VIGIL_SCOPE_KIND_MAX
};

#endif /* VIGIL_BPF_VOCABULARY_H */
