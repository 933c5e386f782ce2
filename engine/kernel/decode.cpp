#include "kernel/decode.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "bpf/events.h"
#include "kernel/syscall_table.h"

namespace vigil::kernel {

// The layouts are shared with BPF through bpf/events.h; these pin them so that an accidental
// change (or an ABI difference) fails the build instead of corrupting decoding.
static_assert(sizeof(vigil_event_header) == 72);
static_assert(offsetof(vigil_event_header, comm) == 56);
static_assert(sizeof(vigil_exec_event) == 72 + 112 + VIGIL_TTY_LEN + VIGIL_PATH_MAX +
                                              4 * VIGIL_PATH_MAX + VIGIL_ENV_LEN + VIGIL_ENV_STR);
static_assert(offsetof(vigil_exec_event, argv) == sizeof(vigil_exec_event));
static_assert(sizeof(vigil_fork_event) == 72 + 16);
static_assert(sizeof(vigil_exit_event) == 72 + 16);
static_assert(offsetof(vigil_syscall_event, extra) == 72 + 48 + 8 + 16);
static_assert(offsetof(vigil_syscall_event, str0) ==
              offsetof(vigil_syscall_event, str2) + VIGIL_SMALL_STR);
static_assert(sizeof(vigil_syscall_event) == offsetof(vigil_syscall_event, str1) + VIGIL_PATH_MAX);
static_assert(sizeof(vigil_net_event) == 72 + 8 + 8 + 8 + 32);
static_assert(sizeof(vigil_cred_extra) < VIGIL_EXTRA_LEN);
static_assert(sizeof(vigil_proc_info) == 96);
static_assert(sizeof(vigil_binary_key) == 24);
static_assert(sizeof(vigil_num_key) == 16);

namespace {

// Copies a NUL-terminated string of at most `max` bytes into `to`, in its storage.
void AssignBounded(std::string& to, const char* s, size_t max) {
  to.assign(s, strnlen(s, max));
}

// Every field as Event{} has it, but the strings and lists keep their storage: a record
// decoded into a reused Event allocates only what outgrows the records before it. Copying a
// blank Event over it assigns each string an empty one, which keeps its buffer (and each list
// an empty list, which keeps its array). An exec record's lists keep their elements too (it
// overwrites them in place and cuts the rest, SplitInto); a record of another type finds them
// empty.
void ResetKeepingStorage(Event* e, bool exec) {
  static const Event kBlank{};
  if (!exec) {
    *e = kBlank;
    return;
  }
  std::vector<std::string> argv = std::move(e->argv), env = std::move(e->env);
  *e = kBlank;
  e->argv = std::move(argv);
  e->env = std::move(env);
}

// Splits `len` bytes of NUL-separated strings into `list`, reusing its elements' storage; a last
// string without its NUL (cut short) is kept when `keep_unterminated`.
void SplitInto(std::vector<std::string>& list, const char* data, size_t len,
               bool keep_unterminated) {
  size_t n = 0;
  auto put = [&](const char* p, size_t l) {
    if (n < list.size())
      list[n].assign(p, l);
    else
      list.emplace_back(p, l);
    ++n;
  };
  size_t start = 0;
  for (size_t i = 0; i < len; ++i) {
    if (data[i] == '\0') {
      put(data + start, i - start);
      start = i + 1;
    }
  }
  if (keep_unterminated && start < len) put(data + start, len - start);
  list.resize(n);
}

void DecodeHeader(const vigil_event_header& h, Event* e) {
  e->type = h.type;
  e->ts_ns = h.ts_ns;
  e->cpu = h.cpu;
  e->entity = h.entity;
  e->matched = h.matched;
  e->policy_version = h.policy_version;
  e->pid = h.pid;
  e->tid = h.tid;
  e->ppid = h.ppid;
  e->uid = h.uid;
  e->gid = h.gid;
  e->killed_in_kernel = (h.flags & VIGIL_HDR_KILLED) != 0;
  e->kill_protected_in_kernel = (h.flags & VIGIL_HDR_KILL_PROTECTED) != 0;
  AssignBounded(e->comm, h.comm, sizeof(h.comm));
}

// The kernel names a pseudo-terminal "ptsN" (its driver's name and index); /dev, ps and
// proc.tty say "pts/N".
void TtyName(std::string& name) {
  if (name.size() > 3 && name.compare(0, 3, "pts") == 0 &&
      name.find_first_not_of("0123456789", 3) == std::string::npos)
    name.insert(3, "/");
}

bool Fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

// `size` is the record's: the fixed part and at least argv_len bytes of arguments.
bool DecodeExec(const vigil_exec_event& r, size_t size, Event* e, std::string* error) {
  if (r.exe_off + r.exe_len > sizeof(r.exe_buf) || r.cwd_off + r.cwd_len > sizeof(r.cwd_buf) ||
      r.env_len > sizeof(r.env) || r.argv_len > VIGIL_ARGV_CAP ||
      r.argv_len > size - sizeof(vigil_exec_event) || r.filename_len >= sizeof(r.filename))
    return Fail(error, "exec record with out-of-range lengths");
  e->start_ns = r.start_ns;
  e->parent_entity = r.parent_entity;
  e->mntns = r.mntns;
  e->pidns = r.pidns;
  e->cgroup_id = r.cgroup_id;
  e->euid = r.euid;
  e->loginuid = r.loginuid;
  AssignBounded(e->tty, r.tty, sizeof(r.tty));
  TtyName(e->tty);
  e->tty_dev = r.tty_dev;
  e->vpid = r.vpid;
  e->cwd.assign(r.cwd_buf + r.cwd_off, r.cwd_len);
  e->cwd_truncated = r.flags & VIGIL_EXEC_CWD_TRUNCATED;
  e->env_truncated = r.flags & (VIGIL_EXEC_ENV_TRUNCATED | VIGIL_EXEC_ENV_VALUE_TRUNCATED);
  SplitInto(e->env, r.env, r.env_len, false);
  e->has_stdio = r.flags & VIGIL_EXEC_STDIO_KNOWN;
  for (size_t i = 0; i < e->stdio.size(); ++i) {
    auto& f = e->stdio[i];
    f.open = e->has_stdio && (r.flags & (i == 0 ? VIGIL_EXEC_STDIN_OPEN : VIGIL_EXEC_STDOUT_OPEN));
    f.mode = f.open ? r.stdio_mode[i] : 0;
    f.rdev = f.open ? r.stdio_rdev[i] : 0;
    f.fs_magic = f.open ? r.stdio_magic[i] : 0;
  }
  e->has_exe_mtime = r.flags & VIGIL_EXEC_EXE_MTIME;
  e->exe_mtime_sec = e->has_exe_mtime ? r.exe_mtime_sec : 0;
  e->exe_mtime_nsec = e->has_exe_mtime ? r.exe_mtime_nsec : 0;
  e->filename.assign(r.filename, r.filename_len);
  e->exe.assign(r.exe_buf + r.exe_off, r.exe_len);
  e->argc = r.argc;
  e->argv_truncated = r.flags & VIGIL_EXEC_ARGV_TRUNCATED;
  e->exe_truncated = r.flags & VIGIL_EXEC_EXE_TRUNCATED;
  e->filename_truncated = r.flags & VIGIL_EXEC_FILENAME_TRUNCATED;
  SplitInto(e->argv, r.argv, r.argv_len, true);  // the last one may be cut short
  return true;
}

// The type-specific part of a syscall record's `extra` (bpf/events.h).
void DecodeCredentials(const vigil_syscall_event& r, Event* e) {
  if (r.extra_len < sizeof(vigil_cred_info)) return;
  vigil_cred_extra x{};
  std::memcpy(&x, r.extra, std::min<size_t>(r.extra_len, sizeof(x)));
  const vigil_cred_info& c = x.before;
  e->has_cred = true;
  e->cred = Event::Credentials{c.uid,           c.euid,          c.suid,           c.fsuid,
                               c.gid,           c.egid,          c.sgid,           c.fsgid,
                               c.cap_effective, c.cap_permitted, c.cap_inheritable};
  const vigil_capset_request& q = x.request;
  if (r.syscall != VIGIL_SC_capset || r.extra_len < sizeof(x) || !(q.read & VIGIL_CAPSET_HEADER) ||
      !(q.read & VIGIL_CAPSET_LOW))
    return;
  e->has_capset = true;
  e->capset_version = q.version;
  e->capset_pid = q.pid;
  // _LINUX_CAPABILITY_VERSION_1 (0x19980330) passes the low 32 capabilities only.
  const bool high = (q.read & VIGIL_CAPSET_HIGH) && q.version != 0x19980330;
  auto set = [&](int i) {
    return uint64_t{q.data[i]} | (high ? uint64_t{q.data[3 + i]} << 32 : 0);
  };
  e->capset_effective = set(0);
  e->capset_permitted = set(1);
  e->capset_inheritable = set(2);
}

template <class T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// utimensat: struct timespec[2]; futimesat, utimes: struct timeval[2]; utime: struct utimbuf.
void DecodeTimes(const vigil_syscall_event& r, Event* e) {
  const uint8_t* x = r.extra;
  if (r.syscall == VIGIL_SC_utime) {
    if (r.extra_len < 16) return;
    for (int i = 0; i < 2; ++i) {
      e->time_sec[i] = Load<int64_t>(x + 8 * i);
      e->time_nsec[i] = 0;
    }
  } else {
    if (r.extra_len < 32) return;
    const int64_t scale = r.syscall == VIGIL_SC_utimensat ? 1 : 1000;  // timeval: microseconds
    for (int i = 0; i < 2; ++i) {
      e->time_sec[i] = Load<int64_t>(x + 16 * i);
      e->time_nsec[i] = Load<int64_t>(x + 16 * i + 8) * scale;
    }
  }
  e->has_times = true;
}

// The parts of union bpf_attr that name what the command creates or attaches.
void DecodeBpfAttr(const vigil_syscall_event& r, Event* e) {
  const uint8_t* x = r.extra;
  switch (static_cast<int>(r.args[0])) {
    case 0:  // BPF_MAP_CREATE: map_type at 0, map_name[16] at 28
      if (r.extra_len < 44) return;
      e->bpf_type = Load<uint32_t>(x);
      AssignBounded(e->bpf_name, reinterpret_cast<const char*>(x + 28), 16);
      break;
    case 5:  // BPF_PROG_LOAD: prog_type at 0, prog_name[16] at 48, expected_attach_type at 68
      if (r.extra_len < 64) return;
      e->bpf_type = Load<uint32_t>(x);
      AssignBounded(e->bpf_name, reinterpret_cast<const char*>(x + 48), 16);
      if (r.extra_len >= 72) e->bpf_attach_type = Load<uint32_t>(x + 68);
      break;
    case 8:   // BPF_PROG_ATTACH
    case 9:   // BPF_PROG_DETACH
    case 28:  // BPF_LINK_CREATE: attach_type at 8 for all three
      if (r.extra_len < 12) return;
      e->bpf_attach_type = Load<uint32_t>(x + 8);
      break;
    default:
      return;
  }
  e->has_bpf_attr = true;
}

void DecodeExtra(const vigil_syscall_event& r, Event* e) {
  if (r.hdr.type == VIGIL_EVT_ACCEPT) {  // the local address is there whatever extra_len says
    const uint8_t* local = r.extra + VIGIL_ACCEPT_LOCAL_OFF;
    if (Load<uint16_t>(local) != 0)
      e->local = DecodeSockAddr(local, sizeof(r.extra) - VIGIL_ACCEPT_LOCAL_OFF);
  }
  if (r.extra_len == 0) return;
  switch (r.hdr.type) {
    case VIGIL_EVT_OPEN:
      return;  // struct open_how, decoded with the arguments
    case VIGIL_EVT_SETUID:
    case VIGIL_EVT_SETGID:
    case VIGIL_EVT_CAPSET:
      DecodeCredentials(r, e);
      return;
    case VIGIL_EVT_NS_CREATE:
      if (r.syscall == VIGIL_SC_clone3 && r.extra_len >= 8 && e->arg_count < e->args.size())
        e->args[e->arg_count++] = NamedArg{"flags", false, Load<uint64_t>(r.extra)};
      return;
    case VIGIL_EVT_XATTR:
      e->xattr_value.assign(reinterpret_cast<const char*>(r.extra),
                            std::min<size_t>(r.extra_len, VIGIL_XATTR_VALUE_LEN));
      return;
    case VIGIL_EVT_UTIMES:
      DecodeTimes(r, e);
      return;
    case VIGIL_EVT_BPF:
      DecodeBpfAttr(r, e);
      return;
    case VIGIL_EVT_IO_URING_SETUP:
      if (r.extra_len >= 12) {
        e->has_io_uring_params = true;
        e->io_uring_flags = Load<uint32_t>(r.extra + 8);
      }
      return;
    default:  // connect, bind, accept (the peer), listen (local), dup (the old socket's peer)
      e->has_addr = true;
      e->addr = DecodeSockAddr(r.extra, r.extra_len);
      return;
  }
}

bool DecodeSyscall(const uint8_t* data, size_t size, Event* e, std::string* error) {
  constexpr size_t kMin = offsetof(vigil_syscall_event, str0);
  if (size < kMin || size > sizeof(vigil_syscall_event))
    return Fail(error, "syscall record of size " + std::to_string(size));
  vigil_syscall_event r{};
  std::memcpy(&r, data, size);
  const SyscallInfo* info = SyscallById(r.syscall);
  if (!info)
    return Fail(error, "syscall record with unknown syscall id " + std::to_string(r.syscall));
  if (info->event != r.hdr.type)
    return Fail(error, std::string("syscall record type does not match syscall ") + info->name);
  if (r.extra_len > sizeof(r.extra) || r.str_len[2] >= sizeof(r.str2))
    return Fail(error, "syscall record with out-of-range lengths");
  const size_t ends[2] = {offsetof(vigil_syscall_event, str0) + r.str_len[0],
                          offsetof(vigil_syscall_event, str1) + r.str_len[1]};
  if ((r.str_len[0] && ends[0] > size) || (r.str_len[1] && ends[1] > size) ||
      r.str_len[0] >= VIGIL_PATH_MAX || r.str_len[1] >= VIGIL_PATH_MAX)
    return Fail(error, "syscall record shorter than its strings");

  e->syscall = r.syscall;
  e->retval = r.retval;
  for (int i = 0; i < 6; ++i) e->raw_args[i] = r.args[i];
  e->strings[0].assign(r.str0, r.str_len[0]);
  e->strings[1].assign(r.str1, r.str_len[1]);
  e->strings[2].assign(r.str2, r.str_len[2]);
  for (int i = 0; i < 3; ++i) {
    e->string_truncated[i] = r.str_flags & VIGIL_STR_TRUNCATED(i);
    e->string_unreadable[i] = r.str_flags & VIGIL_STR_UNREADABLE(i);
  }

  e->arg_count = 0;
  for (const ArgRole& role : info->args) {
    if (!role.name) break;
    NamedArg a;
    a.name = role.name;
    uint64_t v = r.args[role.index];
    switch (role.kind) {
      case ArgKind::kS32:
        a.is_signed = true;
        a.value = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
        break;
      case ArgKind::kU32:
        a.value = static_cast<uint32_t>(v);
        break;
      case ArgKind::kS64:
        a.is_signed = true;
        a.value = v;
        break;
      default:
        a.value = v;
        break;
    }
    e->args[e->arg_count++] = a;
  }
  // Arguments that are not plain integers.
  if (r.syscall == VIGIL_SC_openat2 && r.extra_len >= 16) {
    uint64_t how[2];
    std::memcpy(how, r.extra, sizeof(how));
    e->args[e->arg_count++] = NamedArg{"flags", false, how[0]};
    e->args[e->arg_count++] = NamedArg{"mode", false, how[1]};
  } else if (r.syscall == VIGIL_SC_setxattrat && r.args[5] != UINT64_MAX) {
    // the value's size, from struct xattr_args (the kernel side puts it in place of usize)
    e->args[e->arg_count++] = NamedArg{"size", false, r.args[5]};
  } else if (r.syscall == VIGIL_SC_creat) {
    e->args[e->arg_count++] = NamedArg{"flags", false, 01101};  // O_CREAT|O_WRONLY|O_TRUNC
  }
  e->has_addr = false;
  DecodeExtra(r, e);
  return true;
}

}  // namespace

bool SockAddr::is_ip() const {
  return family == AF_INET || family == AF_INET6;
}

SockAddr DecodeSockAddr(const uint8_t* data, size_t len) {
  SockAddr a;
  if (len < sizeof(sa_family_t)) return a;
  std::memcpy(&a.family, data, sizeof(a.family));
  if (a.family == AF_INET && len >= sizeof(sockaddr_in)) {
    sockaddr_in in{};
    std::memcpy(&in, data, sizeof(in));
    a.ip = IpAddress::FromV4(&in.sin_addr);
    a.port = ntohs(in.sin_port);
  } else if (a.family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, data, sizeof(in6));
    a.ip = IpAddress::FromV6(&in6.sin6_addr);
    a.port = ntohs(in6.sin6_port);
  } else if (a.family == AF_UNIX) {
    const char* path = reinterpret_cast<const char*>(data) + sizeof(sa_family_t);
    size_t n = len - sizeof(sa_family_t);
    if (n > 0 && path[0] == '\0')  // abstract socket
      a.path = "@" + std::string(path + 1, strnlen(path + 1, n - 1));
    else
      a.path = std::string(path, strnlen(path, n));
  }
  return a;
}

bool Decode(const void* data, size_t size, Event* out, std::string* error) {
  if (size < sizeof(vigil_event_header)) return Fail(error, "record shorter than its header");
  vigil_event_header h;
  std::memcpy(&h, data, sizeof(h));
  if (h.type >= VIGIL_EVT_MAX)
    return Fail(error, "record of unknown type " + std::to_string(h.type));
  ResetKeepingStorage(out, h.type == VIGIL_EVT_EXEC);
  DecodeHeader(h, out);
  const auto* bytes = static_cast<const uint8_t*>(data);
  switch (h.type) {
    case VIGIL_EVT_EXEC: {
      // The fixed part, then the arguments: VIGIL_ARGV_INLINE bytes of room in place, or as
      // many as were read of a long list (bpf/events.h).
      if (size < sizeof(vigil_exec_event) || size > sizeof(vigil_exec_event) + VIGIL_ARGV_CAP)
        return Fail(error, "exec record of wrong size");
      // Large record: decode from the ring buffer memory in place.
      const auto* r = static_cast<const vigil_exec_event*>(data);
      return DecodeExec(*r, size, out, error);
    }
    case VIGIL_EVT_FORK: {
      if (size != sizeof(vigil_fork_event)) return Fail(error, "fork record of wrong size");
      vigil_fork_event r;
      std::memcpy(&r, bytes, sizeof(r));
      out->start_ns = r.start_ns;
      out->parent_entity = r.parent_entity;
      return true;
    }
    case VIGIL_EVT_EXIT: {
      if (size != sizeof(vigil_exit_event)) return Fail(error, "exit record of wrong size");
      vigil_exit_event r;
      std::memcpy(&r, bytes, sizeof(r));
      out->start_ns = r.start_ns;
      out->exit_status = r.exit_code;
      return true;
    }
    case VIGIL_EVT_TCP_STATE: {
      if (size != sizeof(vigil_net_event)) return Fail(error, "tcp_state record of wrong size");
      vigil_net_event r;
      std::memcpy(&r, bytes, sizeof(r));
      out->sock = r.sock;
      out->oldstate = r.oldstate;
      out->newstate = r.newstate;
      out->protocol = r.protocol;
      const bool v6 = r.family == AF_INET6;
      out->local = SockAddr{
          r.family, v6 ? IpAddress::FromV6(r.saddr) : IpAddress::FromV4(r.saddr), r.sport, {}};
      out->remote = SockAddr{
          r.family, v6 ? IpAddress::FromV6(r.daddr) : IpAddress::FromV4(r.daddr), r.dport, {}};
      return true;
    }
    default:
      return DecodeSyscall(bytes, size, out, error);
  }
}

Status DecodeRecord(const void* data, size_t size, Event* out) {
  std::string error;
  if (!Decode(data, size, out, &error)) return Error{std::move(error)};
  return OkStatus();
}

}  // namespace vigil::kernel
