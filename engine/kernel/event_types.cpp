#include "kernel/event_types.h"

#include <sstream>

#include <array>

#include "bpf/events.h"

namespace vigil::kernel {
namespace {

constexpr std::array<const char*, VIGIL_EVT_MAX> kNames = {
    "none",   "exec",   "fork",        "exit",      "open",   "connect",      "accept",
    "bind",   "listen", "socket",      "tcp_state", "ptrace", "memfd_create", "unlink",
    "rename", "link",   "symlink",     "chmod",     "chown",  "setuid",       "setgid",
    "mount",  "umount", "module_load", "kill",      "prctl",  "setns",
};

}  // namespace

const char* EventTypeName(uint16_t type) {
  return type < kNames.size() ? kNames[type] : "unknown";
}

std::optional<uint16_t> EventTypeFromName(std::string_view name) {
  for (uint16_t i = 1; i < kNames.size(); ++i)
    if (name == kNames[i]) return i;
  return std::nullopt;
}

bool IsLifecycleEvent(uint16_t type) {
  return type == VIGIL_EVT_EXEC || type == VIGIL_EVT_FORK || type == VIGIL_EVT_EXIT;
}

Result<std::set<uint16_t>> ParseEventTypeList(const std::string& list) {
  std::set<uint16_t> out;
  if (list.empty() || list == "all") {
    for (uint16_t t = 1; t < VIGIL_EVT_MAX; ++t) out.insert(t);
    return out;
  }
  std::stringstream ss(list);
  std::string name;
  while (std::getline(ss, name, ',')) {
    auto type = EventTypeFromName(name);
    if (!type) return Error{"unknown event type '" + name + "' (see docs/events.md)"};
    out.insert(*type);
  }
  return out;
}

}  // namespace vigil::kernel
