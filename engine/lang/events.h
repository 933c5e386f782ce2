// The event types a rule can select with `on`, and the kernel sources behind each.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace vigil::lang {

enum class EventType : uint8_t {
  kExec, kFork, kExit, kOpen, kConnect, kAccept, kBind, kListen, kSocket, kTcpState,
  kPtrace, kMemfdCreate, kUnlink, kRename, kLink, kSymlink, kChmod, kChown, kSetuid,
  kSetgid, kMount, kUmount, kModuleLoad, kKill, kPrctl, kSetns,
  kCount
};

// A set of event types as a bitmask (bit i = EventType i).
using EventMask = uint64_t;
inline constexpr EventMask Bit(EventType t) { return EventMask{1} << static_cast<unsigned>(t); }
inline constexpr EventMask kAllEvents = (EventMask{1} << static_cast<unsigned>(EventType::kCount)) - 1;

struct EventTypeInfo {
  EventType type;
  std::string_view name;     // as written in `on`
  std::string_view sources;  // syscalls or tracepoints that produce it
  std::string_view description;
};

const std::vector<EventTypeInfo>& AllEventTypes();
std::optional<EventType> EventTypeByName(std::string_view name);
std::string_view EventTypeName(EventType type);
// "open, exec" for a mask, in table order.
std::string EventMaskNames(EventMask mask);

}  // namespace vigil::lang
