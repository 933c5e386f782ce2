// The event types a rule can select with `on`, and the kernel sources behind each. Generated
// from VIGIL_EVENT_TYPES (bpf/vocabulary.h): an EventType has the value of the kernel's
// enum vigil_event_type, so a record header's type converts with a cast.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bpf/vocabulary.h"

namespace vigil::lang {

enum class EventType : uint8_t {
#define VIGIL_X_EVENT_TYPE(ID, Name, ...) k##Name = VIGIL_EVT_##ID,
  VIGIL_EVENT_TYPES(VIGIL_X_EVENT_TYPE)
#undef VIGIL_X_EVENT_TYPE
      kCount = VIGIL_EVT_MAX
};

// A set of event types as a bitmask (bit i = EventType i).
using EventMask = uint64_t;
// kAllEvents shifts by the count: at most 63 event types.
static_assert(static_cast<unsigned>(EventType::kCount) < 64, "event types fit an EventMask");
inline constexpr EventMask Bit(EventType t) {
  return EventMask{1} << static_cast<unsigned>(t);
}
inline constexpr EventMask kAllEvents =
    (EventMask{1} << static_cast<unsigned>(EventType::kCount)) - 1;

// The event type of a kernel record header's `type`; nullopt when out of range.
inline constexpr std::optional<EventType> EventTypeFromKernel(uint16_t kernel_type) {
  if (kernel_type >= VIGIL_EVT_MAX) return std::nullopt;
  return static_cast<EventType>(kernel_type);
}

struct EventTypeInfo {
  EventType type;
  std::string_view name;     // as written in `on`
  std::string_view sources;  // syscalls or tracepoints that produce it
  std::string_view description;
};

// Every event type in numbering order: AllEventTypes()[i].type == EventType i.
std::span<const EventTypeInfo> AllEventTypes();
std::optional<EventType> EventTypeByName(std::string_view name);
std::string_view EventTypeName(EventType type);
// "open, exec" for a mask, in table order.
std::string EventMaskNames(EventMask mask);

}  // namespace vigil::lang
