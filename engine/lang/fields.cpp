#include "lang/fields.h"

#include "lang/suggest.h"

namespace vigil::lang {
namespace {

using enum EventType;
using T = Type;

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

const std::vector<FieldInfo> kFields = {
    // evt: the event itself
    {"evt.type", T::kString, kAny, "Event type name (exec, open, ...)"},
    {"evt.time", T::kUint, kAny, "Wall-clock time of the event, ns since the Unix epoch"},
    {"evt.boottime", T::kUint, kAny, "Kernel timestamp, ns since boot (CLOCK_BOOTTIME)"},
    {"evt.retval", T::kInt, kAny & ~Bit(kFork) & ~Bit(kTcpState),
     "Return value of the syscall (negative errno on failure)"},
    {"evt.failed", T::kBool, kAny & ~Bit(kFork) & ~Bit(kTcpState),
     "The syscall failed (retval < 0)"},
    // proc: the process the event happened in
    {"proc.pid", T::kInt, kAny, "Process id (tgid), in the initial pid namespace"},
    {"proc.tid", T::kInt, kAny, "Thread id"},
    {"proc.ppid", T::kInt, kAny, "Parent process id"},
    {"proc.entity", T::kUint, kAny, "Stable process identity: hash of pid and start time"},
    {"proc.start", T::kUint, kAny, "Process start time, ns since boot"},
    {"proc.name", T::kString, kAny, "Process name (comm, at most 15 bytes)"},
    {"proc.exe", T::kString, kAny, "Path of the executable"},
    {"proc.args", T::kStringList, kAny, "Arguments, argv[0] included (bounded)"},
    {"proc.cmdline", T::kString, kAny, "Arguments joined with spaces"},
    {"proc.argv0", T::kString, kAny,
     "argv[0] as the program was started (a multi-call binary's applet name, a masquerade)"},
    {"proc.cwd", T::kString, kAny, "Current working directory"},
    {"proc.tty", T::kString, kAny, "Controlling terminal (pts/0), empty when none"},
    {"proc.uid", T::kUint, kAny, "Real user id"},
    {"proc.euid", T::kUint, kAny, "Effective user id"},
    {"proc.gid", T::kUint, kAny, "Real group id"},
    {"proc.loginuid", T::kUint, kAny, "Audit login uid (4294967295 when unset)"},
    {"proc.is_new_exe", T::kBool, Bit(kExec),
     "The executable was modified after vigil started (dropped, then run), checked at exec"},
    {"proc.exe_memfd", T::kBool, kAny, "The executable is an anonymous memory file (fileless)"},
    {"proc.mntns", T::kUint, kAny, "Mount namespace id"},
    {"proc.pidns", T::kUint, kAny, "Pid namespace id"},
    {"proc.stdin.type", T::kString, Bit(kExec),
     "What fd 0 is when the image starts: file, pipe, socket, tty, null, none (closed)"},
    {"proc.stdout.type", T::kString, Bit(kExec),
     "What fd 1 is when the image starts: file, pipe, socket, tty, null, none (closed)"},
    // lineage
    {"proc.parent.name", T::kString, kAny, "Parent process name"},
    {"proc.parent.exe", T::kString, kAny, "Parent executable path"},
    {"proc.parent.pid", T::kInt, kAny, "Parent process id"},
    {"proc.parent.cmdline", T::kString, kAny, "Parent arguments joined with spaces"},
    {"proc.ancestors.name", T::kStringList, kAny, "Names of all ancestors, nearest first"},
    {"proc.ancestors.exe", T::kStringList, kAny, "Executables of all ancestors, nearest first"},
    {"proc.aname", T::kString, kAny, "Name of the N-th ancestor: proc.aname[1] is the parent",
     true},
    {"proc.depth", T::kInt, kAny, "Number of known ancestors"},
    // container and Kubernetes identity
    {"container.id", T::kString, kAny, "Container id (empty on the host)"},
    {"container.runtime", T::kString, kAny, "docker, containerd, cri-o, podman, runc, ..."},
    {"container.name", T::kString, kAny, "Container name where the runtime records one"},
    {"k8s.pod.uid", T::kString, kAny, "Kubernetes pod uid"},
    {"k8s.pod.name", T::kString, kAny, "Kubernetes pod name"},
    {"k8s.ns", T::kString, kAny, "Kubernetes namespace"},
    // exec and exit
    {"exec.filename", T::kString, Bit(kExec), "The path given to execve (before resolution)"},
    {"exec.args_truncated", T::kBool, Bit(kExec), "argv was longer than the kernel bound"},
    {"exit.code", T::kInt, Bit(kExit), "Exit status"},
    {"exit.signal", T::kInt, Bit(kExit), "Signal that ended the process, 0 if none", false,
     &kSignals},
    // files
    {"file.path", T::kString, kFileOps,
     "Path the syscall acted on (for symlink: the link's target text)"},
    {"file.name", T::kString, kFileOps, "Last component of file.path"},
    {"file.dir", T::kString, kFileOps, "file.path without its last component"},
    {"file.newpath", T::kString, Bit(kRename) | Bit(kLink) | Bit(kSymlink),
     "New name: rename destination, new hard link, or the symlink created"},
    {"open.flags", T::kFlags, Bit(kOpen), "open(2) flags", false, &kOpenFlags},
    {"open.mode", T::kFlags, Bit(kOpen), "Mode bits for a created file", false, &kModeBits},
    {"open.read", T::kBool, Bit(kOpen), "Opened for reading (O_RDONLY or O_RDWR)"},
    {"open.write", T::kBool, Bit(kOpen), "Opened for writing (O_WRONLY, O_RDWR, O_TRUNC)"},
    {"open.create", T::kBool, Bit(kOpen), "May create the file (O_CREAT or O_TMPFILE)"},
    {"chmod.mode", T::kFlags, Bit(kChmod), "New mode bits", false, &kModeBits},
    {"chown.uid", T::kInt, Bit(kChown), "New owner (-1: unchanged)"},
    {"chown.gid", T::kInt, Bit(kChown), "New group (-1: unchanged)"},
    {"memfd.name", T::kString, Bit(kMemfdCreate), "Name given to memfd_create"},
    {"memfd.flags", T::kFlags, Bit(kMemfdCreate), "memfd_create flags", false, &kMemfdFlags},
    // network
    {"net.family", T::kInt, kSockOps | Bit(kTcpState), "Address family", false, &kAddressFamilies},
    {"net.type", T::kInt, kSockOps, "Socket type", false, &kSocketTypes},
    {"net.proto", T::kInt, kSockOps | Bit(kTcpState), "Protocol", false, &kIpProtocols},
    {"net.saddr", T::kAddress, kAddrOps, "Local address"},
    {"net.sport", T::kInt, kAddrOps, "Local port"},
    {"net.daddr", T::kAddress, Bit(kConnect) | Bit(kAccept) | Bit(kTcpState), "Remote address"},
    {"net.dport", T::kInt, Bit(kConnect) | Bit(kAccept) | Bit(kTcpState), "Remote port"},
    {"net.state", T::kInt, Bit(kTcpState), "New TCP state", false, &kTcpStates},
    {"net.oldstate", T::kInt, Bit(kTcpState), "Previous TCP state", false, &kTcpStates},
    {"listen.backlog", T::kInt, Bit(kListen), "listen(2) backlog"},
    // other syscalls
    {"ptrace.request", T::kInt, Bit(kPtrace), "ptrace request", false, &kPtraceRequests},
    {"ptrace.target.pid", T::kInt, Bit(kPtrace), "Traced process id"},
    {"ptrace.target.name", T::kString, Bit(kPtrace), "Traced process name"},
    {"signal.number", T::kInt, Bit(kKill), "Signal sent", false, &kSignals},
    {"signal.target.pid", T::kInt, Bit(kKill), "Process the signal was sent to"},
    {"module.name", T::kString, Bit(kModuleLoad), "Module file path or name, where known"},
    {"mount.source", T::kString, Bit(kMount), "Mounted device or source"},
    {"mount.target", T::kString, Bit(kMount) | Bit(kUmount), "Mount point"},
    {"mount.fstype", T::kString, Bit(kMount), "File system type"},
    {"mount.flags", T::kFlags, Bit(kMount), "mount(2) flags", false, &kMountFlags},
    {"setuid.uid", T::kInt, Bit(kSetuid), "Requested user id"},
    {"setgid.gid", T::kInt, Bit(kSetgid), "Requested group id"},
    {"prctl.option", T::kInt, Bit(kPrctl), "prctl option", false, &kPrctlOptions},
    {"prctl.name", T::kString, Bit(kPrctl), "New name for PR_SET_NAME"},
    {"setns.nstype", T::kFlags, Bit(kSetns), "Namespace type requested", false, &kNamespaceFlags},
    {"setns.target.pid", T::kInt, Bit(kSetns),
     "Process whose namespace was joined (from a pidfd or /proc/PID/ns path), 0 if unknown"},
};

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

const std::vector<FieldInfo>& AllFields() { return kFields; }

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
