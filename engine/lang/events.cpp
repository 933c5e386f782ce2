#include "lang/events.h"

#include <string>

namespace vigil::lang {

const std::vector<EventTypeInfo>& AllEventTypes() {
  using enum EventType;
  static const std::vector<EventTypeInfo> kTypes = {
      {kExec, "exec", "tracepoint sched:sched_process_exec", "A process replaced its image"},
      {kFork, "fork", "tracepoint sched:sched_process_fork", "A process or thread was created"},
      {kExit, "exit", "tracepoint sched:sched_process_exit", "A process exited"},
      {kOpen, "open", "open, openat, openat2, creat", "A file was opened or created"},
      {kConnect, "connect", "connect", "A socket connected to a peer"},
      {kAccept, "accept", "accept, accept4", "A listening socket accepted a connection"},
      {kBind, "bind", "bind", "A socket was bound to a local address"},
      {kListen, "listen", "listen", "A socket started listening"},
      {kSocket, "socket", "socket", "A socket was created"},
      {kTcpState, "tcp_state", "tracepoint sock:inet_sock_set_state",
       "A TCP socket changed state (softirq context, own ring buffer)"},
      {kPtrace, "ptrace", "ptrace", "A process traced another"},
      {kMemfdCreate, "memfd_create", "memfd_create", "An anonymous memory file was created"},
      {kUnlink, "unlink", "unlink, unlinkat, rmdir", "A file or directory was removed"},
      {kRename, "rename", "rename, renameat, renameat2", "A file was renamed"},
      {kLink, "link", "link, linkat", "A hard link was created"},
      {kSymlink, "symlink", "symlink, symlinkat", "A symbolic link was created"},
      {kChmod, "chmod", "chmod, fchmod, fchmodat", "File permissions changed"},
      {kChown, "chown", "chown, fchown, lchown, fchownat", "File ownership changed"},
      {kSetuid, "setuid", "setuid, setreuid, setresuid", "A process changed its user id"},
      {kSetgid, "setgid", "setgid, setregid, setresgid", "A process changed its group id"},
      {kMount, "mount", "mount", "A file system was mounted"},
      {kUmount, "umount", "umount2", "A file system was unmounted"},
      {kModuleLoad, "module_load", "init_module, finit_module", "A kernel module load was attempted"},
      {kKill, "kill", "kill, tkill, tgkill", "A signal was sent"},
      {kPrctl, "prctl", "prctl", "A process changed one of its attributes"},
      {kSetns, "setns", "setns", "A process joined another namespace"},
  };
  return kTypes;
}

std::optional<EventType> EventTypeByName(std::string_view name) {
  for (const auto& info : AllEventTypes())
    if (info.name == name) return info.type;
  return std::nullopt;
}

std::string_view EventTypeName(EventType type) {
  return AllEventTypes().at(static_cast<size_t>(type)).name;
}

std::string EventMaskNames(EventMask mask) {
  std::string out;
  for (const auto& info : AllEventTypes()) {
    if (!(mask & Bit(info.type))) continue;
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

}  // namespace vigil::lang
