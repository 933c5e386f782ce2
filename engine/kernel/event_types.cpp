#include "kernel/event_types.h"

#include <array>
#include <sstream>

#include "bpf/events.h"

namespace vigil::kernel {
namespace {

struct EventTypeRow {
  const char* name;
  vigil_event_origin origin;
};

constexpr std::array<EventTypeRow, VIGIL_EVT_MAX> kTypes = {{
#define VIGIL_X_EVENT_ROW(ID, Name, name, origin, ...) {name, VIGIL_ORIGIN_##origin},
    VIGIL_EVENT_TYPES(VIGIL_X_EVENT_ROW)
#undef VIGIL_X_EVENT_ROW
}};

}  // namespace

const char* EventTypeName(uint16_t type) {
  return type < kTypes.size() ? kTypes[type].name : "unknown";
}

std::optional<uint16_t> EventTypeFromName(std::string_view name) {
  for (uint16_t i = 0; i < kTypes.size(); ++i)
    if (name == kTypes[i].name) return i;
  return std::nullopt;
}

bool IsLifecycleEvent(uint16_t type) {
  return type < kTypes.size() && kTypes[type].origin == VIGIL_ORIGIN_LIFECYCLE;
}

Result<std::set<uint16_t>> ParseEventTypeList(const std::string& list) {
  std::set<uint16_t> out;
  if (list.empty() || list == "all") {
    for (uint16_t t = 0; t < VIGIL_EVT_MAX; ++t) out.insert(t);
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
