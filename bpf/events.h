/* The one definition of everything the kernel half and user space exchange: event records,
 * the syscall table, map keys/values and shared limits. Included by the BPF
 * programs (after vmlinux.h) and by engine/kernel (C++), which static_asserts the sizes.
 * Every record starts with struct vigil_event_header; `type` says which record follows. */
#ifndef VIGIL_BPF_EVENTS_H
#define VIGIL_BPF_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "vocabulary.h" /* event types and scope filter kinds */

/* ---- limits (powers of two where BPF masks offsets with them) ---------------------------- */
#define VIGIL_COMM_LEN 16
#define VIGIL_PATH_MAX 1024 /* path strings from user memory and exe paths */
#define VIGIL_SMALL_STR 64  /* third string slot (mount fstype) */
/* exec argv bytes, NUL-separated: an exec record carries VIGIL_ARGV_INLINE bytes in place in the
 * main ring buffer; a longer argument list is built in the scratch ring buffer with room for
 * VIGIL_ARGV_CAP bytes and sent as long as it is. How much is read is set at load time
 * (argv_max in vigil.bpf.c, `--max-args-bytes`), at most VIGIL_ARGV_CAP. */
#define VIGIL_ARGV_INLINE 4096
#define VIGIL_ARGV_CAP 65536
#define VIGIL_ARGV_DEFAULT 16384
/* Environment variables at exec: the strings whose name is selected (`--env-names`, at most
 * VIGIL_ENV_NAMES) are kept, NUL-separated, in VIGIL_ENV_LEN bytes; the environment is read one
 * string (at most VIGIL_ENV_STR bytes, a longer value is cut) per step, at most VIGIL_ENV_STEPS
 * steps; names longer than VIGIL_ENV_NAME_MAX bytes are never selected. */
#define VIGIL_ENV_LEN 1024
#define VIGIL_ENV_STR 256
#define VIGIL_ENV_STEPS 1024
#define VIGIL_ENV_NAMES 16
#define VIGIL_ENV_NAME_MAX 64
#define VIGIL_TTY_LEN 64
#define VIGIL_UTS_LEN 64
#define VIGIL_EXTRA_LEN 128 /* raw bytes of a struct argument (sockaddr, open_how) */
#define VIGIL_MAX_POLICIES 64
#define VIGIL_MAX_RANGES 4 /* numeric ranges per policy and filter kind */
/* filters with `follow` per policy */
#define VIGIL_FOLLOW_LANES 2
#define VIGIL_PATH_COMPONENTS 48
#define VIGIL_SYSCALL_NR_MAX 512 /* syscall numbers below this can be traced */

/* ---- the syscall table ------------------------------------------------------------------
 * X(name, event, str0_arg, str1_arg, str2_arg, extra_arg, extra_len, extra_at_exit)
 * str*_arg: index of a user string argument read at entry (-1: none). str0/str1 hold up to
 * VIGIL_PATH_MAX bytes, str2 up to VIGIL_SMALL_STR. extra_arg: index of a pointer to a struct
 * copied raw (extra_len bytes) at entry, or at exit when extra_at_exit (accept's peer address
 * exists only after the call). The BPF side generates one enter/exit program pair per row
 * (bpf/vigil.bpf.c); user space names the syscalls and decodes the arguments from the same rows. */
#define VIGIL_SYSCALLS(X)                                           \
  X(open, VIGIL_EVT_OPEN, 0, -1, -1, -1, 0, 0)                      \
  X(openat, VIGIL_EVT_OPEN, 1, -1, -1, -1, 0, 0)                    \
  X(openat2, VIGIL_EVT_OPEN, 1, -1, -1, 2, 24, 0)                   \
  X(creat, VIGIL_EVT_OPEN, 0, -1, -1, -1, 0, 0)                     \
  X(connect, VIGIL_EVT_CONNECT, -1, -1, -1, 1, VIGIL_EXTRA_LEN, 0)  \
  X(accept, VIGIL_EVT_ACCEPT, -1, -1, -1, 1, VIGIL_EXTRA_LEN, 1)    \
  X(accept4, VIGIL_EVT_ACCEPT, -1, -1, -1, 1, VIGIL_EXTRA_LEN, 1)   \
  X(bind, VIGIL_EVT_BIND, -1, -1, -1, 1, VIGIL_EXTRA_LEN, 0)        \
  X(listen, VIGIL_EVT_LISTEN, -1, -1, -1, -1, 0, 0)                 \
  X(socket, VIGIL_EVT_SOCKET, -1, -1, -1, -1, 0, 0)                 \
  X(ptrace, VIGIL_EVT_PTRACE, -1, -1, -1, -1, 0, 0)                 \
  X(memfd_create, VIGIL_EVT_MEMFD_CREATE, 0, -1, -1, -1, 0, 0)      \
  X(unlink, VIGIL_EVT_UNLINK, 0, -1, -1, -1, 0, 0)                  \
  X(unlinkat, VIGIL_EVT_UNLINK, 1, -1, -1, -1, 0, 0)                \
  X(rename, VIGIL_EVT_RENAME, 0, 1, -1, -1, 0, 0)                   \
  X(renameat, VIGIL_EVT_RENAME, 1, 3, -1, -1, 0, 0)                 \
  X(renameat2, VIGIL_EVT_RENAME, 1, 3, -1, -1, 0, 0)                \
  X(link, VIGIL_EVT_LINK, 0, 1, -1, -1, 0, 0)                       \
  X(linkat, VIGIL_EVT_LINK, 1, 3, -1, -1, 0, 0)                     \
  X(symlink, VIGIL_EVT_SYMLINK, 0, 1, -1, -1, 0, 0)                 \
  X(symlinkat, VIGIL_EVT_SYMLINK, 0, 2, -1, -1, 0, 0)               \
  X(chmod, VIGIL_EVT_CHMOD, 0, -1, -1, -1, 0, 0)                    \
  X(fchmod, VIGIL_EVT_CHMOD, -1, -1, -1, -1, 0, 0)                  \
  X(fchmodat, VIGIL_EVT_CHMOD, 1, -1, -1, -1, 0, 0)                 \
  X(fchmodat2, VIGIL_EVT_CHMOD, 1, -1, -1, -1, 0, 0)                \
  X(chown, VIGIL_EVT_CHOWN, 0, -1, -1, -1, 0, 0)                    \
  X(lchown, VIGIL_EVT_CHOWN, 0, -1, -1, -1, 0, 0)                   \
  X(fchown, VIGIL_EVT_CHOWN, -1, -1, -1, -1, 0, 0)                  \
  X(fchownat, VIGIL_EVT_CHOWN, 1, -1, -1, -1, 0, 0)                 \
  X(setuid, VIGIL_EVT_SETUID, -1, -1, -1, -1, 0, 0)                 \
  X(setreuid, VIGIL_EVT_SETUID, -1, -1, -1, -1, 0, 0)               \
  X(setresuid, VIGIL_EVT_SETUID, -1, -1, -1, -1, 0, 0)              \
  X(setgid, VIGIL_EVT_SETGID, -1, -1, -1, -1, 0, 0)                 \
  X(setregid, VIGIL_EVT_SETGID, -1, -1, -1, -1, 0, 0)               \
  X(setresgid, VIGIL_EVT_SETGID, -1, -1, -1, -1, 0, 0)              \
  X(setfsuid, VIGIL_EVT_SETUID, -1, -1, -1, -1, 0, 0)               \
  X(setfsgid, VIGIL_EVT_SETGID, -1, -1, -1, -1, 0, 0)               \
  X(capset, VIGIL_EVT_CAPSET, -1, -1, -1, -1, 0, 0)                 \
  X(unshare, VIGIL_EVT_NS_CREATE, -1, -1, -1, -1, 0, 0)             \
  X(clone, VIGIL_EVT_NS_CREATE, -1, -1, -1, -1, 0, 0)               \
  X(clone3, VIGIL_EVT_NS_CREATE, -1, -1, -1, 0, 8, 0)               \
  X(dup, VIGIL_EVT_DUP, -1, -1, -1, -1, 0, 0)                       \
  X(dup2, VIGIL_EVT_DUP, -1, -1, -1, -1, 0, 0)                      \
  X(dup3, VIGIL_EVT_DUP, -1, -1, -1, -1, 0, 0)                      \
  X(fcntl, VIGIL_EVT_DUP, -1, -1, -1, -1, 0, 0)                     \
  X(setxattr, VIGIL_EVT_XATTR, 0, 1, -1, -1, 0, 0)                  \
  X(lsetxattr, VIGIL_EVT_XATTR, 0, 1, -1, -1, 0, 0)                 \
  X(fsetxattr, VIGIL_EVT_XATTR, -1, 1, -1, -1, 0, 0)                \
  X(setxattrat, VIGIL_EVT_XATTR, 1, 3, -1, -1, 0, 0)                \
  X(removexattr, VIGIL_EVT_XATTR, 0, 1, -1, -1, 0, 0)               \
  X(lremovexattr, VIGIL_EVT_XATTR, 0, 1, -1, -1, 0, 0)              \
  X(fremovexattr, VIGIL_EVT_XATTR, -1, 1, -1, -1, 0, 0)             \
  X(removexattrat, VIGIL_EVT_XATTR, 1, 3, -1, -1, 0, 0)             \
  X(utimensat, VIGIL_EVT_UTIMES, 1, -1, -1, 2, 32, 0)               \
  X(futimesat, VIGIL_EVT_UTIMES, 1, -1, -1, 2, 32, 0)               \
  X(utimes, VIGIL_EVT_UTIMES, 0, -1, -1, 1, 32, 0)                  \
  X(utime, VIGIL_EVT_UTIMES, 0, -1, -1, 1, 16, 0)                   \
  X(fsopen, VIGIL_EVT_MOUNT, -1, -1, 0, -1, 0, 0)                   \
  X(fsconfig, VIGIL_EVT_MOUNT, 3, -1, 2, -1, 0, 0)                  \
  X(fsmount, VIGIL_EVT_MOUNT, -1, -1, -1, -1, 0, 0)                 \
  X(move_mount, VIGIL_EVT_MOUNT, 1, 3, -1, -1, 0, 0)                \
  X(open_tree, VIGIL_EVT_MOUNT, 1, -1, -1, -1, 0, 0)                \
  X(mount_setattr, VIGIL_EVT_MOUNT, 1, -1, -1, -1, 0, 0)            \
  X(chroot, VIGIL_EVT_CHROOT, 0, -1, -1, -1, 0, 0)                  \
  X(pivot_root, VIGIL_EVT_CHROOT, 0, 1, -1, -1, 0, 0)               \
  X(bpf, VIGIL_EVT_BPF, -1, -1, -1, 1, 72, 0)                       \
  X(io_uring_setup, VIGIL_EVT_IO_URING_SETUP, -1, -1, -1, 1, 16, 0) \
  X(userfaultfd, VIGIL_EVT_USERFAULTFD, -1, -1, -1, -1, 0, 0)       \
  X(process_vm_readv, VIGIL_EVT_PROCESS_VM, -1, -1, -1, -1, 0, 0)   \
  X(process_vm_writev, VIGIL_EVT_PROCESS_VM, -1, -1, -1, -1, 0, 0)  \
  X(personality, VIGIL_EVT_PERSONALITY, -1, -1, -1, -1, 0, 0)       \
  X(keyctl, VIGIL_EVT_KEYCTL, -1, -1, -1, -1, 0, 0)                 \
  X(mount, VIGIL_EVT_MOUNT, 0, 1, 2, -1, 0, 0)                      \
  X(umount, VIGIL_EVT_UMOUNT, 0, -1, -1, -1, 0, 0)                  \
  X(init_module, VIGIL_EVT_MODULE_LOAD, -1, 2, -1, -1, 0, 0)        \
  X(finit_module, VIGIL_EVT_MODULE_LOAD, -1, 1, -1, -1, 0, 0)       \
  X(kill, VIGIL_EVT_KILL, -1, -1, -1, -1, 0, 0)                     \
  X(tkill, VIGIL_EVT_KILL, -1, -1, -1, -1, 0, 0)                    \
  X(tgkill, VIGIL_EVT_KILL, -1, -1, -1, -1, 0, 0)                   \
  X(prctl, VIGIL_EVT_PRCTL, -1, -1, -1, -1, 0, 0)                   \
  X(setns, VIGIL_EVT_SETNS, -1, -1, -1, -1, 0, 0)

enum vigil_syscall_id {
  VIGIL_SC_NONE = 0,
#define VIGIL_X_ENUM(name, ...) VIGIL_SC_##name,
  VIGIL_SYSCALLS(VIGIL_X_ENUM)
#undef VIGIL_X_ENUM
      VIGIL_SC_MAX
};

/* ---- records ----------------------------------------------------------------------------- */
/* Clock of ts_ns: CLOCK_BOOTTIME, or CLOCK_MONOTONIC when the kernel lacks the boottime helper
 * (see engine/kernel/clock.h). Start times are always boottime (procfs uses it too). */
struct vigil_event_header {
  __u64 ts_ns;
  __u64 entity;         /* entity id of the process (bpf/entity.h) */
  __u64 matched;        /* policies whose scope matched and that selected this event */
  __u32 policy_version; /* active policy version when the event was produced */
  __u16 type;           /* enum vigil_event_type */
  __u16 cpu;
  __u32 pid; /* tgid */
  __u32 tid;
  __u32 ppid; /* tgid of the real parent */
  __u32 uid;
  __u32 gid;
  __u32 flags; /* VIGIL_HDR_* */
  char comm[VIGIL_COMM_LEN];
};

/* The kernel sent SIGKILL to the process for this event (an `action kill` policy whose rule the
 * kernel decides alone; docs/agent.md, "Actions"). */
#define VIGIL_HDR_KILLED 1u
/* A rule the kernel decides alone would have killed the process, but it is protected (the agent,
 * its ancestors, PID 1, a kernel thread, a --protect executable: the kill_protected map). */
#define VIGIL_HDR_KILL_PROTECTED 2u

#define VIGIL_EXEC_ARGV_TRUNCATED 1u
#define VIGIL_EXEC_EXE_TRUNCATED 2u
#define VIGIL_EXEC_FILENAME_TRUNCATED 4u
#define VIGIL_EXEC_CWD_TRUNCATED 8u
#define VIGIL_EXEC_ENV_TRUNCATED 16u       /* the scan stopped before the environment's end */
#define VIGIL_EXEC_ENV_VALUE_TRUNCATED 32u /* a selected string was cut at VIGIL_ENV_STR - 1 */
#define VIGIL_EXEC_STDIO_KNOWN 64u  /* the descriptor table was read: stdio_* hold fds 0 and 1 */
#define VIGIL_EXEC_STDIN_OPEN 128u  /* descriptor 0 is open (stdio_*[0] describe it) */
#define VIGIL_EXEC_STDOUT_OPEN 256u /* descriptor 1 is open (stdio_*[1]) */
#define VIGIL_EXEC_EXE_MTIME 512u   /* exe_mtime_* hold the executable's modification time */

struct vigil_exec_event {
  struct vigil_event_header hdr;
  __u64 start_ns; /* boottime of the process start */
  __u64 parent_entity;
  __u64 mntns;
  __u64 pidns;
  __u64 cgroup_id;
  __u32 euid;
  __u32 loginuid;
  __u32 flags;        /* VIGIL_EXEC_* */
  __u32 argc;         /* the real argument count (argv may hold fewer when cut) */
  __u32 argv_len;     /* bytes used in argv, which the record is at least as long as */
  __u32 vpid;         /* the tgid in the process's own pid namespace */
  __u16 filename_len; /* bytes in filename, without NUL */
  __u16 exe_off;      /* the exe path is exe_buf[exe_off, exe_off + exe_len) */
  __u16 exe_len;
  __u16 cwd_len; /* the working directory is cwd_buf[cwd_off, cwd_off + cwd_len) */
  __u16 cwd_off;
  __u16 env_len; /* bytes used in env */
  __u32 tty_dev; /* controlling terminal, encoded as /proc/PID/stat's tty_nr; 0: none */
  /* The standard streams (descriptors 0 and 1) of the new image, after close-on-exec, when
   * VIGIL_EXEC_STDIO_KNOWN: each open one's inode type and permission bits (i_mode), device
   * (i_rdev, the kernel's encoding: major << 20 | minor) and file system (s_magic, low 32 bits).
   * User space names the kind (socket, pipe, tty, null, file, none). */
  __u32 stdio_rdev[2];
  __u32 stdio_magic[2];
  __u16 stdio_mode[2];
  __u32 exe_mtime_nsec; /* the executable's inode mtime (VIGIL_EXEC_EXE_MTIME), wall clock */
  __s64 exe_mtime_sec;
  char tty[VIGIL_TTY_LEN];
  char filename[VIGIL_PATH_MAX];
  char exe_buf[2 * VIGIL_PATH_MAX];
  char cwd_buf[2 * VIGIL_PATH_MAX];        /* as exe_buf */
  char env[VIGIL_ENV_LEN + VIGIL_ENV_STR]; /* selected NAME=value strings, NUL-separated */
  char argv[]; /* VIGIL_ARGV_INLINE or VIGIL_ARGV_CAP bytes of room (see above) */
};

struct vigil_fork_event {
  struct vigil_event_header hdr; /* the child */
  __u64 start_ns;
  __u64 parent_entity;
};

struct vigil_exit_event {
  struct vigil_event_header hdr;
  __u64 start_ns;
  __u32 exit_code; /* wait status: (code << 8) | signal */
  __u32 pad;
};

#define VIGIL_STR_TRUNCATED(i) (1u << (i))
#define VIGIL_STR_UNREADABLE(i) (1u << (4 + (i))) /* user memory not readable, even at exit */

/* A syscall: arguments captured at entry, delivered with the return value at exit. The record
 * is sent up to the last string in use (see vigil_syscall_event_size below). */
struct vigil_syscall_event {
  struct vigil_event_header hdr;
  __u64 args[6];
  __s64 retval;
  __u16 syscall;    /* enum vigil_syscall_id */
  __u16 extra_len;  /* bytes valid in extra */
  __u16 str_len[3]; /* bytes in each string, without NUL */
  __u16 str_flags;  /* VIGIL_STR_TRUNCATED(i), VIGIL_STR_UNREADABLE(i) */
  __u32 pad;
  __u8 extra[VIGIL_EXTRA_LEN];
  char str2[VIGIL_SMALL_STR];
  char str0[VIGIL_PATH_MAX];
  char str1[VIGIL_PATH_MAX];
};

/* What some syscall types keep in a syscall record's `extra` instead of a raw user struct
 * (filled at entry by bpf/vigil.bpf.c, decoded by engine/kernel/decode.cpp):
 *  - setuid, setgid, capset: the caller's credentials before the call (vigil_cred_info), and for
 *    capset the requested header and sets after it (vigil_capset_request). */
struct vigil_cred_info {
  __u32 uid, euid, suid, fsuid;
  __u32 gid, egid, sgid, fsgid;
  __u64 cap_effective;
  __u64 cap_permitted;
  __u64 cap_inheritable;
};

/* capset(2)'s arguments as read at entry: the header, and the data in its user layout
 * ({effective, permitted, inheritable} for the low 32 capabilities, then for the high ones;
 * version 1 has only the low half). `read` says what could be read (VIGIL_CAPSET_*). */
#define VIGIL_CAPSET_HEADER 1u
#define VIGIL_CAPSET_LOW 2u
#define VIGIL_CAPSET_HIGH 4u
struct vigil_capset_request {
  __u32 version;
  __s32 pid;
  __u32 data[6];
  __u32 read;
  __u32 pad;
};

/*  - dup: the socket behind the old descriptor, its peer as a struct sockaddr (nothing when the
 *    descriptor is not a socket); listen: the socket's local address; accept: the peer (read
 *    at exit, at most VIGIL_ACCEPT_PEER_LEN bytes) and the listening socket's local address at
 *    VIGIL_ACCEPT_LOCAL_OFF (read at entry; its family is 0 when unknown).
 *  - xattr (set calls): the first VIGIL_XATTR_VALUE_LEN bytes of the value.
 *  - clone3: the first 8 bytes of struct clone_args (the flags); utimensat, futimesat, utimes,
 *    utime, bpf, io_uring_setup: their struct argument, raw (see VIGIL_SYSCALLS). */
#define VIGIL_ACCEPT_PEER_LEN 64
#define VIGIL_ACCEPT_LOCAL_OFF 64
#define VIGIL_XATTR_VALUE_LEN 24

struct vigil_cred_extra {
  struct vigil_cred_info before;
  struct vigil_capset_request request; /* capset only */
};

/* TCP state change from sock:inet_sock_set_state (softirq context; pid/comm are whatever task
 * was current, which for packets processed in softirq is not necessarily the socket's owner). */
struct vigil_net_event {
  struct vigil_event_header hdr;
  __u64 sock; /* kernel socket address, to correlate transitions of one socket */
  __s32 oldstate;
  __s32 newstate;
  __u16 sport;
  __u16 dport;
  __u16 family;
  __u16 protocol;
  __u8 saddr[16]; /* IPv4 in the first 4 bytes when family == AF_INET */
  __u8 daddr[16];
};

/* ---- scope filtering maps ---------------------------------------------------------------- */
struct vigil_range {
  __u64 lo;
  __u64 hi;
};

/* Per policy version (key: __u32 version). Bitmaps are indexed by policy number. A filter kind K
 * applies to the policies in enabled[K]; a policy passes K when the process's key is in K's map
 * with the policy's bit set (or lies in one of its ranges), inverted for policies in negated[K].
 * `follow` is per filter: a policy's filters with follow are numbered into lanes (first one lane
 * 0, second lane 1), and a process also passes such a filter when an ancestor passed it. */
struct vigil_policy_config {
  __u64 policies; /* policies defined in this version */
  __u64 unscoped; /* policies with a global scope (no filters) */
  __u64 follow;   /* policies with at least one `follow` filter */
  /* [lane][K]: policies whose follow filter of that lane is of kind K */
  __u64 follow_kind[VIGIL_FOLLOW_LANES][VIGIL_SCOPE_KIND_MAX];
  __u64 enabled[VIGIL_SCOPE_KIND_MAX];
  __u64 negated[VIGIL_SCOPE_KIND_MAX];
  __u64 loaded_at_ns;  /* boottime of the load, for `new` */
  __u64 host_pidns;    /* for `container`: the pid namespace of the host */
  __u32 lifecycle_all; /* deliver exec/fork/exit of every process, matched or not */
  __u32 pad;
  /* `action kill` decided in the kernel at exec: policies with a rule on exec without condition,
   * and policies with conditions in the kill_exec map (vigil_kill_key). */
  __u64 kill_exec_any;
  __u64 kill_exec;
  /* uid, gid, pid ranges: [kind][policy][i]; hi < lo marks an unused slot */
  struct vigil_range ranges[3][VIGIL_MAX_POLICIES][VIGIL_MAX_RANGES];
};

struct vigil_num_key { /* uid, gid, pid, mntns, pidns, cgroup maps */
  __u32 version;
  __u32 pad;
  __u64 value;
};

struct vigil_comm_key {
  __u32 version;
  char comm[VIGIL_COMM_LEN];
};

struct vigil_uts_key {
  __u32 version;
  char name[VIGIL_UTS_LEN];
};

struct vigil_binary_key {
  __u32 version;
  __u32 pad;
  __u64 mntns;     /* 0 = any mount namespace */
  __u64 path_hash; /* vigil_path_hash() of the exe path (bpf/entity.h) */
};

/* What an exec rule of an `action kill` policy compares, for the kernel to kill at exec. */
enum vigil_kill_kind {
  VIGIL_KILL_EXE = 0,  /* proc.exe: the executable's path */
  VIGIL_KILL_FILENAME, /* exec.filename: the path given to execve */
  VIGIL_KILL_COMM,     /* proc.name: the process name after exec */
};

struct vigil_kill_key {
  __u32 version;
  __u32 kind; /* enum vigil_kill_kind */
  __u64 hash; /* vigil_path_hash() of the string (bpf/entity.h) */
};

/* kill_protected map: processes the kernel never kills at exec, by tgid or by executable. */
enum vigil_protect_kind {
  VIGIL_PROTECT_TGID = 0, /* value: the tgid */
  VIGIL_PROTECT_EXE,      /* value: vigil_path_hash() of the executable's path */
};

struct vigil_protect_key {
  __u32 kind; /* enum vigil_protect_kind */
  __u32 pad;
  __u64 value;
};

/* events map: which policies want an event type. An array (its lookups are inlined, no helper
 * call on the syscall path) of VIGIL_VERSION_SLOTS slots of VIGIL_EVT_MAX entries; version v
 * uses slot v % VIGIL_VERSION_SLOTS, and an entry counts only when it carries that version. */
#define VIGIL_VERSION_SLOTS 4
struct vigil_event_policies {
  __u64 policies;
  __u32 version;
  __u32 pad;
};

/* ---- argument prefilter (docs/kernel.md, "Argument prefilter") ------------------------------
 * Conditions every enabled rule on an event type requires, derived by compile/prefilter.cpp: an
 * event that meets none of them can match no rule and is dropped at entry (stat prefiltered).
 * pf_config is an array like event_policies ((version % VIGIL_VERSION_SLOTS) * VIGIL_EVT_MAX +
 * type); an entry counts only with its version and `active`. An event is kept when
 *   its open flags are unknown or (flags & flag_mask) != 0, or
 *   its path could not be read whole at entry (unreadable, or VIGIL_PF_BUF bytes or longer), or
 *   pf_prefix (LPM trie) holds a prefix of "version, type, path, NUL" (exact paths are stored
 *   with their NUL, prefixes without; the lookup is skipped when the trie gate below says no
 *   entry can match), or
 *   pf_suffix holds vigil_path_hash(last L bytes) for one of the suffix_lens L whose last byte
 *   is in suffix_last. */
/* Words of the inflight_tids bitmap by default (bits for tids below 4,194,304, Linux's largest
 * pid_max); user space sizes it from /proc/sys/kernel/pid_max before loading. */
#define VIGIL_INFLIGHT_TID_WORDS 65536
#define VIGIL_PF_PATH_LEN 128  /* path bytes of a pf_prefix key: longer entries cannot be stored */
#define VIGIL_PF_BUF 256       /* path bytes read for the decision; a longer path is kept */
#define VIGIL_PF_SUFFIX_LENS 8 /* distinct suffix lengths per type */
#define VIGIL_PF_SUFFIX_MAX 64 /* longest suffix */
#define VIGIL_PF_ENTRIES 4096  /* pf_prefix and pf_suffix entries, every live version together */
/* The trie gate: before the pf_prefix lookup, the path's head is tested against two bitmaps
 * of the exact paths' and prefixes' heads (bit vigil_pf_head_bit of the first 8 bytes of each
 * entry of 8 bytes or more, and of the first 4 bytes of each entry of 4 to 7 bytes). A path
 * whose heads set no bit cannot start with any entry: the lookup is skipped. `gate` is 0 when an
 * entry is shorter than 4 bytes (every path would have to be looked up). */
#define VIGIL_PF_HEAD_WORDS 8 /* 512-bit bitmaps */
static inline __u32 vigil_pf_head_bit(__u64 head) {
  return (__u32)((head * 0x9E3779B97F4A7C15ULL) >> 55); /* 0..511 */
}
struct vigil_pf_config {
  __u32 version;
  __u32 active;    /* 0: the type is not prefiltered */
  __u64 flag_mask; /* 0: no flag condition */
  __u64 suffix_last[4];
  __u8 suffix_lens[VIGIL_PF_SUFFIX_LENS]; /* ascending; 0 ends the list */
  __u32 paths;                            /* path conditions in use (pf_prefix or pf_suffix) */
  __u32 gate;                             /* head8/head4 hold every exact path and prefix */
  __u64 head8[VIGIL_PF_HEAD_WORDS];
  __u64 head4[VIGIL_PF_HEAD_WORDS];
};

struct vigil_pf_prefix_key {
  __u32 prefixlen; /* bits after this field: 64 + 8 * bytes of path */
  __u32 version;
  __u32 type;
  char path[VIGIL_PF_PATH_LEN];
};

struct vigil_pf_suffix_key {
  __u32 version;
  __u32 type;
  __u64 hash; /* vigil_path_hash of the suffix (its length included) */
};

/* Per-process state (LRU hash keyed by tgid). */
#define VIGIL_PROC_FOLLOW_VALID 1u
struct vigil_proc_info {
  __u64 entity;
  __u64 start_ns;
  __u64 exe_hash;
  __u64 matched; /* scope result for `version`, follow included */
  /* [lane]: policies whose follow filter of that lane an ancestor passed (set at fork, kept on
   * exec, rebuilt from the ancestors on a miss) */
  __u64 followed[VIGIL_FOLLOW_LANES];
  /* [lane]: policies whose follow filter of that lane the process passed itself when its scope
   * was last computed; exec adds them to `followed`, so a followed program that execs another
   * stays followed */
  __u64 own_follow[VIGIL_FOLLOW_LANES];
  __u32 version;
  __u32 uid; /* uid the scope was computed for */
  __u32 gid;
  __u32 flags;
  /* the event budget (`--process-event-rate`): when the current window began (monotonic ns),
   * and how many selected syscall events the process sent in it */
  __u64 budget_start_ns;
  __u32 budget_used;
  __u32 pad;
};

/* scope_cache (task storage on a process's group leader): a copy of the scope decision of its
 * proc_info entry, which the per-syscall entry stubs read without a hash lookup. Written where
 * proc_info is written for the current process (refresh_current) and filled from proc_info by a
 * stub that found the entry current; `version` 0 marks it invalid while it is rewritten. */
struct vigil_scope_cache {
  __u64 matched;
  __u32 version;
  __u32 uid;
  __u32 gid;
  __u32 pad;
};

/* throttled map: processes over their event budget since user space last read the map (it reads
 * and deletes each entry), keyed by tgid. */
struct vigil_throttled {
  __u64 events; /* selected syscall events not sent */
  __u64 entity; /* the process, as in event headers */
};

/* ---- stats (per-CPU array, summed by user space) ----------------------------------------- */
enum vigil_stat {
  VIGIL_STAT_DROP_MAIN = 0,   /* main ring buffer full: event lost */
  VIGIL_STAT_DROP_NET,        /* network ring buffer full */
  VIGIL_STAT_FILTERED,        /* events dropped in the kernel by scope */
  VIGIL_STAT_PROC_MISS,       /* proc_info lookup missed */
  VIGIL_STAT_PROC_REBUILD,    /* proc_info rebuilt from the task and its ancestors */
  VIGIL_STAT_PROC_RECOMPUTE,  /* scope recomputed (exec, uid change, version change) */
  VIGIL_STAT_INFLIGHT_FULL,   /* syscall entry record could not be stored */
  VIGIL_STAT_FALLBACK_CALLS,  /* raw_syscalls fallback invocations (each costs every syscall) */
  VIGIL_STAT_EXE_HASH_FAIL,   /* exe path hash unavailable (no scratch space) */
  VIGIL_STAT_KILL_UNREPORTED, /* killed at exec in the kernel, but the exec event was lost */
  VIGIL_STAT_ARGV_SHORTENED,  /* long argv kept to VIGIL_ARGV_INLINE bytes: no scratch space */
  VIGIL_STAT_THROTTLED,       /* not sent: the process was over its event budget */
  VIGIL_STAT_PREFILTERED,     /* dropped at entry: its arguments can match no rule (prefilter) */
  VIGIL_STAT_MAX
};

#endif /* VIGIL_BPF_EVENTS_H */
