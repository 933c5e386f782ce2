#include "lang/events.h"

#include <array>

namespace vigil::lang {
namespace {

constexpr std::array<EventTypeInfo, VIGIL_EVT_MAX> kTypes = {{
#define VIGIL_X_EVENT_INFO(ID, Name, name, origin, sources, description) \
  {EventType::k##Name, name, sources, description},
    VIGIL_EVENT_TYPES(VIGIL_X_EVENT_INFO)
#undef VIGIL_X_EVENT_INFO
}};

}  // namespace

std::span<const EventTypeInfo> AllEventTypes() {
  return kTypes;
}

std::optional<EventType> EventTypeByName(std::string_view name) {
  for (const auto& info : kTypes)
    if (info.name == name) return info.type;
  return std::nullopt;
}

std::string_view EventTypeName(EventType type) {
  return kTypes.at(static_cast<size_t>(type)).name;
}

std::string EventMaskNames(EventMask mask) {
  std::string out;
  for (const auto& info : kTypes) {
    if (!(mask & Bit(info.type))) continue;
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

}  // namespace vigil::lang
