// Names of the event types of bpf/events.h, as users write them (`--events open,exec`).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::kernel {

// "exec", "open", ...; "unknown" for an out-of-range value.
const char* EventTypeName(uint16_t type);
std::optional<uint16_t> EventTypeFromName(std::string_view name);
// True for exec, fork, exit: always attached, delivered when a policy selects them.
bool IsLifecycleEvent(uint16_t type);

}  // namespace vigil::kernel
