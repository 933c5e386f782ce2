#include "lang/fields.h"

#include <array>

#include "lang/suggest.h"

namespace vigil::lang {
namespace {

using enum EventType;

// Everything that happens in a process carries the process's fields.
constexpr EventMask kAny = kAllEvents;
constexpr EventMask kFileOps = Bit(kOpen) | Bit(kUnlink) | Bit(kRename) | Bit(kLink) |
                               Bit(kSymlink) | Bit(kChmod) | Bit(kChown) | Bit(kXattr) |
                               Bit(kUtimes);
constexpr EventMask kSockOps = Bit(kSocket) | Bit(kConnect) | Bit(kAccept) | Bit(kBind) | Bit(kListen);
// The event types a syscall produces (origin SYSCALL in VIGIL_EVENT_TYPES).
constexpr EventMask kSyscallEvents = 0
#define VIGIL_X_SYSCALL_BIT(ID, Name, name, origin, ...) \
  | (VIGIL_ORIGIN_##origin == VIGIL_ORIGIN_SYSCALL ? Bit(k##Name) : 0)
    VIGIL_EVENT_TYPES(VIGIL_X_SYSCALL_BIT)
#undef VIGIL_X_SYSCALL_BIT
    ;
constexpr EventMask kPeerOps = Bit(kConnect) | Bit(kAccept) | Bit(kTcpState) | Bit(kDup);
constexpr EventMask kCredOps = Bit(kSetuid) | Bit(kSetgid) | Bit(kCapset);
constexpr EventMask kAddrOps = Bit(kConnect) | Bit(kAccept) | Bit(kBind) | Bit(kListen) | Bit(kTcpState);

const std::vector<Constant> kOpenFlags = {
    {"O_RDONLY", 0},         {"O_WRONLY", 01},      {"O_RDWR", 02},         {"O_CREAT", 0100},
    {"O_EXCL", 0200},        {"O_NOCTTY", 0400},    {"O_TRUNC", 01000},     {"O_APPEND", 02000},
    {"O_NONBLOCK", 04000},   {"O_DSYNC", 010000},   {"O_DIRECT", 040000},   {"O_LARGEFILE", 0100000},
    {"O_DIRECTORY", 0200000}, {"O_NOFOLLOW", 0400000}, {"O_NOATIME", 01000000},
    {"O_CLOEXEC", 02000000}, {"O_SYNC", 04010000},  {"O_PATH", 010000000},  {"O_TMPFILE", 020200000},
};

const std::vector<Constant> kModeBits = {
    {"S_ISUID", 04000}, {"S_ISGID", 02000}, {"S_ISVTX", 01000}, {"S_IRUSR", 0400},
    {"S_IWUSR", 0200},  {"S_IXUSR", 0100},  {"S_IRGRP", 040},   {"S_IWGRP", 020},
    {"S_IXGRP", 010},   {"S_IROTH", 04},    {"S_IWOTH", 02},    {"S_IXOTH", 01},
};

const std::vector<Constant> kMemfdFlags = {
    {"MFD_CLOEXEC", 1}, {"MFD_ALLOW_SEALING", 2}, {"MFD_HUGETLB", 4},
    {"MFD_NOEXEC_SEAL", 8}, {"MFD_EXEC", 16},
};

const std::vector<Constant> kMountFlags = {
    {"MS_RDONLY", 1},      {"MS_NOSUID", 2},      {"MS_NODEV", 4},        {"MS_NOEXEC", 8},
    {"MS_REMOUNT", 32},    {"MS_BIND", 4096},     {"MS_MOVE", 8192},      {"MS_REC", 16384},
    {"MS_PRIVATE", 1 << 18}, {"MS_SLAVE", 1 << 19}, {"MS_SHARED", 1 << 20},
};

const std::vector<Constant> kNamespaceFlags = {
    {"CLONE_NEWNS", 0x00020000},  {"CLONE_NEWCGROUP", 0x02000000}, {"CLONE_NEWUTS", 0x04000000},
    {"CLONE_NEWIPC", 0x08000000}, {"CLONE_NEWUSER", 0x10000000},   {"CLONE_NEWPID", 0x20000000},
    {"CLONE_NEWNET", 0x40000000}, {"CLONE_NEWTIME", 0x00000080},
};

// Capability sets as bit masks: bit N is capability N (linux/capability.h).
const std::vector<Constant> kCapabilities = {
    {"CAP_CHOWN", int64_t{1} << 0},
    {"CAP_DAC_OVERRIDE", int64_t{1} << 1},
    {"CAP_DAC_READ_SEARCH", int64_t{1} << 2},
    {"CAP_FOWNER", int64_t{1} << 3},
    {"CAP_FSETID", int64_t{1} << 4},
    {"CAP_KILL", int64_t{1} << 5},
    {"CAP_SETGID", int64_t{1} << 6},
    {"CAP_SETUID", int64_t{1} << 7},
    {"CAP_SETPCAP", int64_t{1} << 8},
    {"CAP_LINUX_IMMUTABLE", int64_t{1} << 9},
    {"CAP_NET_BIND_SERVICE", int64_t{1} << 10},
    {"CAP_NET_BROADCAST", int64_t{1} << 11},
    {"CAP_NET_ADMIN", int64_t{1} << 12},
    {"CAP_NET_RAW", int64_t{1} << 13},
    {"CAP_IPC_LOCK", int64_t{1} << 14},
    {"CAP_IPC_OWNER", int64_t{1} << 15},
    {"CAP_SYS_MODULE", int64_t{1} << 16},
    {"CAP_SYS_RAWIO", int64_t{1} << 17},
    {"CAP_SYS_CHROOT", int64_t{1} << 18},
    {"CAP_SYS_PTRACE", int64_t{1} << 19},
    {"CAP_SYS_PACCT", int64_t{1} << 20},
    {"CAP_SYS_ADMIN", int64_t{1} << 21},
    {"CAP_SYS_BOOT", int64_t{1} << 22},
    {"CAP_SYS_NICE", int64_t{1} << 23},
    {"CAP_SYS_RESOURCE", int64_t{1} << 24},
    {"CAP_SYS_TIME", int64_t{1} << 25},
    {"CAP_SYS_TTY_CONFIG", int64_t{1} << 26},
    {"CAP_MKNOD", int64_t{1} << 27},
    {"CAP_LEASE", int64_t{1} << 28},
    {"CAP_AUDIT_WRITE", int64_t{1} << 29},
    {"CAP_AUDIT_CONTROL", int64_t{1} << 30},
    {"CAP_SETFCAP", int64_t{1} << 31},
    {"CAP_MAC_OVERRIDE", int64_t{1} << 32},
    {"CAP_MAC_ADMIN", int64_t{1} << 33},
    {"CAP_SYSLOG", int64_t{1} << 34},
    {"CAP_WAKE_ALARM", int64_t{1} << 35},
    {"CAP_BLOCK_SUSPEND", int64_t{1} << 36},
    {"CAP_AUDIT_READ", int64_t{1} << 37},
    {"CAP_PERFMON", int64_t{1} << 38},
    {"CAP_BPF", int64_t{1} << 39},
    {"CAP_CHECKPOINT_RESTORE", int64_t{1} << 40},
};

// The bpf(2) commands the bpf event type reports (linux/bpf.h).
const std::vector<Constant> kBpfCommands = {
    {"BPF_MAP_CREATE", 0},           {"BPF_PROG_LOAD", 5},
    {"BPF_PROG_ATTACH", 8},          {"BPF_PROG_DETACH", 9},
    {"BPF_RAW_TRACEPOINT_OPEN", 17}, {"BPF_BTF_LOAD", 18},
    {"BPF_LINK_CREATE", 28},
};

// enum bpf_prog_type (linux/bpf.h).
const std::vector<Constant> kBpfProgTypes = {
    {"BPF_PROG_TYPE_SOCKET_FILTER", 1},
    {"BPF_PROG_TYPE_KPROBE", 2},
    {"BPF_PROG_TYPE_SCHED_CLS", 3},
    {"BPF_PROG_TYPE_SCHED_ACT", 4},
    {"BPF_PROG_TYPE_TRACEPOINT", 5},
    {"BPF_PROG_TYPE_XDP", 6},
    {"BPF_PROG_TYPE_PERF_EVENT", 7},
    {"BPF_PROG_TYPE_CGROUP_SKB", 8},
    {"BPF_PROG_TYPE_CGROUP_SOCK", 9},
    {"BPF_PROG_TYPE_LWT_IN", 10},
    {"BPF_PROG_TYPE_LWT_OUT", 11},
    {"BPF_PROG_TYPE_LWT_XMIT", 12},
    {"BPF_PROG_TYPE_SOCK_OPS", 13},
    {"BPF_PROG_TYPE_SK_SKB", 14},
    {"BPF_PROG_TYPE_CGROUP_DEVICE", 15},
    {"BPF_PROG_TYPE_SK_MSG", 16},
    {"BPF_PROG_TYPE_RAW_TRACEPOINT", 17},
    {"BPF_PROG_TYPE_CGROUP_SOCK_ADDR", 18},
    {"BPF_PROG_TYPE_LWT_SEG6LOCAL", 19},
    {"BPF_PROG_TYPE_LIRC_MODE2", 20},
    {"BPF_PROG_TYPE_SK_REUSEPORT", 21},
    {"BPF_PROG_TYPE_FLOW_DISSECTOR", 22},
    {"BPF_PROG_TYPE_CGROUP_SYSCTL", 23},
    {"BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE", 24},
    {"BPF_PROG_TYPE_CGROUP_SOCKOPT", 25},
    {"BPF_PROG_TYPE_TRACING", 26},
    {"BPF_PROG_TYPE_STRUCT_OPS", 27},
    {"BPF_PROG_TYPE_EXT", 28},
    {"BPF_PROG_TYPE_LSM", 29},
    {"BPF_PROG_TYPE_SK_LOOKUP", 30},
    {"BPF_PROG_TYPE_SYSCALL", 31},
    {"BPF_PROG_TYPE_NETFILTER", 32},
};

// struct io_uring_params' flags (linux/io_uring.h).
const std::vector<Constant> kIoUringSetupFlags = {
    {"IORING_SETUP_IOPOLL", 1 << 0},         {"IORING_SETUP_SQPOLL", 1 << 1},
    {"IORING_SETUP_SQ_AFF", 1 << 2},         {"IORING_SETUP_CQSIZE", 1 << 3},
    {"IORING_SETUP_CLAMP", 1 << 4},          {"IORING_SETUP_ATTACH_WQ", 1 << 5},
    {"IORING_SETUP_R_DISABLED", 1 << 6},     {"IORING_SETUP_SUBMIT_ALL", 1 << 7},
    {"IORING_SETUP_COOP_TASKRUN", 1 << 8},   {"IORING_SETUP_TASKRUN_FLAG", 1 << 9},
    {"IORING_SETUP_SQE128", 1 << 10},        {"IORING_SETUP_CQE32", 1 << 11},
    {"IORING_SETUP_SINGLE_ISSUER", 1 << 12}, {"IORING_SETUP_DEFER_TASKRUN", 1 << 13},
    {"IORING_SETUP_NO_MMAP", 1 << 14},       {"IORING_SETUP_REGISTERED_FD_ONLY", 1 << 15},
    {"IORING_SETUP_NO_SQARRAY", 1 << 16},
};

// userfaultfd(2) flags.
const std::vector<Constant> kUserfaultfdFlags = {
    {"UFFD_USER_MODE_ONLY", 1},
    {"O_NONBLOCK", 04000},
    {"O_CLOEXEC", 02000000},
};

// personality(2) flags (linux/personality.h); the low byte is the execution domain.
const std::vector<Constant> kPersonalityFlags = {
    {"UNAME26", 0x0020000},
    {"ADDR_NO_RANDOMIZE", 0x0040000},
    {"FDPIC_FUNCPTRS", 0x0080000},
    {"MMAP_PAGE_ZERO", 0x0100000},
    {"ADDR_COMPAT_LAYOUT", 0x0200000},
    {"READ_IMPLIES_EXEC", 0x0400000},
    {"ADDR_LIMIT_32BIT", 0x0800000},
    {"SHORT_INODE", 0x1000000},
    {"WHOLE_SECONDS", 0x2000000},
    {"STICKY_TIMEOUTS", 0x4000000},
    {"ADDR_LIMIT_3GB", 0x8000000},
};

// keyctl(2) operations (linux/keyctl.h).
const std::vector<Constant> kKeyctlOps = {
    {"KEYCTL_GET_KEYRING_ID", 0},
    {"KEYCTL_JOIN_SESSION_KEYRING", 1},
    {"KEYCTL_UPDATE", 2},
    {"KEYCTL_REVOKE", 3},
    {"KEYCTL_CHOWN", 4},
    {"KEYCTL_SETPERM", 5},
    {"KEYCTL_DESCRIBE", 6},
    {"KEYCTL_CLEAR", 7},
    {"KEYCTL_LINK", 8},
    {"KEYCTL_UNLINK", 9},
    {"KEYCTL_SEARCH", 10},
    {"KEYCTL_READ", 11},
    {"KEYCTL_INSTANTIATE", 12},
    {"KEYCTL_NEGATE", 13},
    {"KEYCTL_SET_REQKEY_KEYRING", 14},
    {"KEYCTL_SET_TIMEOUT", 15},
    {"KEYCTL_ASSUME_AUTHORITY", 16},
    {"KEYCTL_GET_SECURITY", 17},
    {"KEYCTL_SESSION_TO_PARENT", 18},
    {"KEYCTL_REJECT", 19},
    {"KEYCTL_INSTANTIATE_IOV", 20},
    {"KEYCTL_INVALIDATE", 21},
    {"KEYCTL_GET_PERSISTENT", 22},
    {"KEYCTL_DH_COMPUTE", 23},
    {"KEYCTL_PKEY_QUERY", 24},
    {"KEYCTL_PKEY_ENCRYPT", 25},
    {"KEYCTL_PKEY_DECRYPT", 26},
    {"KEYCTL_PKEY_SIGN", 27},
    {"KEYCTL_PKEY_VERIFY", 28},
    {"KEYCTL_RESTRICT_KEYRING", 29},
    {"KEYCTL_MOVE", 30},
    {"KEYCTL_CAPABILITIES", 31},
    {"KEYCTL_WATCH_KEY", 32},
};

const std::vector<Constant> kAddressFamilies = {
    {"AF_UNIX", 1}, {"AF_INET", 2}, {"AF_INET6", 10}, {"AF_NETLINK", 16}, {"AF_PACKET", 17},
};

const std::vector<Constant> kSocketTypes = {
    {"SOCK_STREAM", 1}, {"SOCK_DGRAM", 2}, {"SOCK_RAW", 3}, {"SOCK_SEQPACKET", 5}, {"SOCK_PACKET", 10},
};

const std::vector<Constant> kIpProtocols = {
    {"IPPROTO_IP", 0}, {"IPPROTO_ICMP", 1}, {"IPPROTO_TCP", 6}, {"IPPROTO_UDP", 17},
    {"IPPROTO_ICMPV6", 58}, {"IPPROTO_RAW", 255},
};

const std::vector<Constant> kTcpStates = {
    {"TCP_ESTABLISHED", 1}, {"TCP_SYN_SENT", 2}, {"TCP_SYN_RECV", 3}, {"TCP_FIN_WAIT1", 4},
    {"TCP_FIN_WAIT2", 5},   {"TCP_TIME_WAIT", 6}, {"TCP_CLOSE", 7},   {"TCP_CLOSE_WAIT", 8},
    {"TCP_LAST_ACK", 9},    {"TCP_LISTEN", 10},   {"TCP_CLOSING", 11}, {"TCP_NEW_SYN_RECV", 12},
};

const std::vector<Constant> kPtraceRequests = {
    {"PTRACE_TRACEME", 0},
    {"PTRACE_PEEKTEXT", 1},
    {"PTRACE_PEEKDATA", 2},
    {"PTRACE_PEEKUSER", 3},
    {"PTRACE_POKETEXT", 4},
    {"PTRACE_POKEDATA", 5},
    {"PTRACE_POKEUSER", 6},
    {"PTRACE_CONT", 7},
    {"PTRACE_KILL", 8},
    {"PTRACE_SINGLESTEP", 9},
    {"PTRACE_GETREGS", 12},
    {"PTRACE_SETREGS", 13},
    {"PTRACE_GETFPREGS", 14},
    {"PTRACE_SETFPREGS", 15},
    {"PTRACE_ATTACH", 16},
    {"PTRACE_DETACH", 17},
    {"PTRACE_GETFPXREGS", 18},
    {"PTRACE_SETFPXREGS", 19},
    {"PTRACE_SET_THREAD_AREA", 26},
    {"PTRACE_ARCH_PRCTL", 30},
    {"PTRACE_SYSEMU", 31},
    {"PTRACE_SYSEMU_SINGLESTEP", 32},
    {"PTRACE_SINGLEBLOCK", 33},
    {"PTRACE_SYSCALL", 24},
    {"PTRACE_SETOPTIONS", 0x4200},
    {"PTRACE_GETEVENTMSG", 0x4201},
    {"PTRACE_GETSIGINFO", 0x4202},
    {"PTRACE_SETSIGINFO", 0x4203},
    {"PTRACE_GETREGSET", 0x4204},
    {"PTRACE_SETREGSET", 0x4205},
    {"PTRACE_SEIZE", 0x4206},
    {"PTRACE_INTERRUPT", 0x4207},
    {"PTRACE_LISTEN", 0x4208},
    {"PTRACE_PEEKSIGINFO", 0x4209},
    {"PTRACE_GETSIGMASK", 0x420a},
    {"PTRACE_SETSIGMASK", 0x420b},
    {"PTRACE_SECCOMP_GET_FILTER", 0x420c},
    {"PTRACE_SECCOMP_GET_METADATA", 0x420d},
    {"PTRACE_GET_SYSCALL_INFO", 0x420e},
    {"PTRACE_GET_RSEQ_CONFIGURATION", 0x420f},
    {"PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG", 0x4210},
    {"PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG", 0x4211},
    {"PTRACE_SET_SYSCALL_INFO", 0x4212},
};

const std::vector<Constant> kSignals = {
    {"SIGHUP", 1},   {"SIGINT", 2},   {"SIGQUIT", 3},  {"SIGILL", 4},   {"SIGTRAP", 5},
    {"SIGABRT", 6},  {"SIGBUS", 7},   {"SIGFPE", 8},   {"SIGKILL", 9},  {"SIGUSR1", 10},
    {"SIGSEGV", 11}, {"SIGUSR2", 12}, {"SIGPIPE", 13}, {"SIGALRM", 14}, {"SIGTERM", 15},
    {"SIGCHLD", 17}, {"SIGCONT", 18}, {"SIGSTOP", 19}, {"SIGTSTP", 20},
};

const std::vector<Constant> kPrctlOptions = {
    {"PR_SET_PDEATHSIG", 1}, {"PR_SET_DUMPABLE", 4}, {"PR_SET_KEEPCAPS", 8},
    {"PR_SET_NAME", 15},     {"PR_GET_NAME", 16},    {"PR_SET_SECCOMP", 22},
    {"PR_CAPBSET_DROP", 24}, {"PR_SET_MM", 35},      {"PR_SET_NO_NEW_PRIVS", 38},
    {"PR_SET_PTRACER", 0x59616d61},
};

constexpr std::array<FieldInfo, kFieldCount> kFields = {{
#define VIGIL_X_FIELD_INFO(Id, name, type, events, indexed, constants, description) \
  {name, Type::k##type, events, description, indexed, constants},
    VIGIL_FIELDS(VIGIL_X_FIELD_INFO)
#undef VIGIL_X_FIELD_INFO
}};

// Each FieldId constant names its own row.
constexpr bool IdsIndexTheTable() {
#define VIGIL_X_FIELD_CHECK(Id, field_name, ...) \
  if (kFields[static_cast<size_t>(FieldId::k##Id)].name != field_name) return false;
  VIGIL_FIELDS(VIGIL_X_FIELD_CHECK)
#undef VIGIL_X_FIELD_CHECK
  return true;
}
static_assert(IdsIndexTheTable());

}  // namespace

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kString: return "string";
    case Type::kInt: return "int";
    case Type::kUint: return "uint";
    case Type::kBool: return "bool";
    case Type::kFlags: return "flags";
    case Type::kAddress: return "address";
    case Type::kStringList: return "list<string>";
  }
  return "?";
}

std::span<const FieldInfo> AllFields() {
  return kFields;
}

std::optional<FieldId> FieldByName(std::string_view name) {
  for (size_t i = 0; i < kFields.size(); ++i)
    if (kFields[i].name == name) return static_cast<FieldId>(i);
  return std::nullopt;
}

const FieldInfo& Field(FieldId id) { return kFields.at(static_cast<size_t>(id)); }

std::optional<int64_t> ConstantValue(const FieldInfo& field, std::string_view name) {
  if (!field.constants) return std::nullopt;
  for (const auto& c : *field.constants)
    if (c.name == name) return c.value;
  return std::nullopt;
}

std::vector<std::string> SuggestFieldNames(std::string_view name) {
  std::vector<std::string_view> names;
  for (const auto& f : kFields) names.push_back(f.name);
  return Suggest(name, names);
}

bool IsFieldKey(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return false;
  return true;
}

}  // namespace vigil::lang
