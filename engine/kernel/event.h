// A decoded kernel event: the fixed C++ form of the records in bpf/events.h that the rest of
// vigil consumes. Strings are copied out of the ring buffer as raw bytes (they come from the
// monitored system and may hold anything); escaping is the output stage's job.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "util/ip_address.h"

namespace vigil::kernel {

// A named integer argument of a syscall (names and kinds come from syscall_table).
struct NamedArg {
  const char* name = nullptr;
  bool is_signed = false;
  uint64_t value = 0;  // sign-extended when is_signed
};

// A socket address in binary form; text is made only by the output stage.
struct SockAddr {
  uint16_t family = 0;  // AF_INET, AF_INET6, AF_UNIX, ...
  IpAddress ip;         // AF_INET, AF_INET6
  uint16_t port = 0;    // AF_INET, AF_INET6, host order
  std::string path;     // AF_UNIX: the socket path, "@name" for an abstract socket
  bool is_ip() const;
};

struct Event {
  // header (every event)
  uint16_t type = 0;  // enum vigil_event_type
  uint64_t ts_ns = 0;
  uint16_t cpu = 0;
  uint64_t entity = 0;
  uint64_t matched = 0;  // policy bitmap
  uint32_t policy_version = 0;
  bool killed_in_kernel = false;  // the kernel sent SIGKILL for this event (VIGIL_HDR_KILLED)
  // The kernel would have killed, but the process is protected (VIGIL_HDR_KILL_PROTECTED).
  bool kill_protected_in_kernel = false;
  uint32_t pid = 0, tid = 0, ppid = 0, uid = 0, gid = 0;
  std::string comm;

  // exec, fork, exit
  uint64_t start_ns = 0;
  uint64_t parent_entity = 0;
  // exec
  uint64_t mntns = 0, pidns = 0, cgroup_id = 0;
  uint32_t euid = 0, loginuid = 0;
  std::string tty, filename, exe, cwd;
  std::vector<std::string> argv;
  uint32_t argc = 0;
  uint32_t vpid = 0;     // tgid in the process's own pid namespace
  uint32_t tty_dev = 0;  // /proc/PID/stat tty_nr encoding; 0: no terminal
  bool argv_truncated = false, exe_truncated = false, filename_truncated = false;
  bool cwd_truncated = false;
  // Selected environment variables, "NAME=value" as the kernel kept them (names chosen by hash:
  // a consumer checks the name), and whether the scan or a value was cut.
  std::vector<std::string> env;
  bool env_truncated = false;
  // The standard streams (descriptors 0 and 1) as the kernel found them at exec, when
  // has_stdio: whether each is open and, if so, its inode's mode, device (the kernel's
  // encoding, major << 20 | minor) and file system magic. runtime names the kind.
  struct StdioFile {
    bool open = false;
    uint16_t mode = 0;
    uint32_t rdev = 0;
    uint32_t fs_magic = 0;
  };
  bool has_stdio = false;
  std::array<StdioFile, 2> stdio{};
  // The executable's modification time (wall clock) as the kernel read it at exec.
  bool has_exe_mtime = false;
  int64_t exe_mtime_sec = 0;
  uint32_t exe_mtime_nsec = 0;
  // exit
  uint32_t exit_status = 0;  // wait status

  // syscalls
  uint16_t syscall = 0;  // enum vigil_syscall_id; 0 for lifecycle and network events
  int64_t retval = 0;
  std::array<uint64_t, 6> raw_args{};
  std::array<NamedArg, 5> args{};
  uint8_t arg_count = 0;
  std::array<std::string, 3> strings;  // str0, str1, str2 (names from syscall_table)
  std::array<bool, 3> string_truncated{};
  std::array<bool, 3> string_unreadable{};  // user memory could not be read, even at exit
  bool has_addr = false;
  SockAddr addr;
  // setuid, setgid, capset: the caller's credentials before the call
  struct Credentials {
    uint32_t uid = 0, euid = 0, suid = 0, fsuid = 0;
    uint32_t gid = 0, egid = 0, sgid = 0, fsgid = 0;
    uint64_t cap_effective = 0, cap_permitted = 0, cap_inheritable = 0;
  };
  bool has_cred = false;
  Credentials cred;
  // accept: the listening socket's local address (family 0 when unknown); tcp_state uses both
  // local and remote
  // xattr (set calls): the first bytes of the value (at most VIGIL_XATTR_VALUE_LEN)
  std::string xattr_value;
  // utimes: the requested times; has_times false when the call passed none (both "now").
  // utimensat's nanoseconds may be UTIME_NOW or UTIME_OMIT; the others' are converted from
  // microseconds.
  bool has_times = false;
  std::array<int64_t, 2> time_sec{}, time_nsec{};  // [0] access, [1] modification
  // bpf: from union bpf_attr (has_bpf_attr: the kernel could read it). PROG_LOAD: program type
  // and name; MAP_CREATE: map type and name; PROG_ATTACH, PROG_DETACH, LINK_CREATE: the attach
  // type.
  bool has_bpf_attr = false;
  uint32_t bpf_type = 0, bpf_attach_type = 0;
  std::string bpf_name;
  // io_uring_setup: the flags of struct io_uring_params
  bool has_io_uring_params = false;
  uint32_t io_uring_flags = 0;
  // capset: the requested header and sets (has_capset: the kernel could read them)
  bool has_capset = false;
  uint32_t capset_version = 0;
  int32_t capset_pid = 0;
  uint64_t capset_effective = 0, capset_permitted = 0, capset_inheritable = 0;

  // tcp_state
  uint64_t sock = 0;
  int32_t oldstate = 0, newstate = 0;
  uint16_t protocol = 0;
  SockAddr local, remote;
};

}  // namespace vigil::kernel
