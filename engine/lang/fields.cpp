#include "lang/fields.h"

#include <array>

#include "lang/suggest.h"

namespace vigil::lang {
namespace {

using enum EventType;

// Everything that happens in a process carries the process's fields.
constexpr EventMask kAny = kAllEvents;
constexpr EventMask kFileOps =
    Bit(kOpen) | Bit(kUnlink) | Bit(kRename) | Bit(kLink) | Bit(kSymlink) | Bit(kChmod) | Bit(kChown);
constexpr EventMask kSockOps = Bit(kSocket) | Bit(kConnect) | Bit(kAccept) | Bit(kBind) | Bit(kListen);
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
    {"PTRACE_TRACEME", 0},   {"PTRACE_PEEKTEXT", 1}, {"PTRACE_PEEKDATA", 2}, {"PTRACE_POKETEXT", 4},
    {"PTRACE_POKEDATA", 5},  {"PTRACE_CONT", 7},     {"PTRACE_KILL", 8},     {"PTRACE_SINGLESTEP", 9},
    {"PTRACE_GETREGS", 12},  {"PTRACE_SETREGS", 13}, {"PTRACE_ATTACH", 16},  {"PTRACE_DETACH", 17},
    {"PTRACE_SYSCALL", 24},  {"PTRACE_SEIZE", 0x4206}, {"PTRACE_INTERRUPT", 0x4207},
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

}  // namespace vigil::lang
