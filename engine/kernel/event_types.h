// Names of the event types of bpf/vocabulary.h, as users write them (`--events open,exec`).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "util/result.h"

namespace vigil::kernel {

// "exec", "open", ...; "unknown" for an out-of-range value.
const char* EventTypeName(uint16_t type);
std::optional<uint16_t> EventTypeFromName(std::string_view name);
// True for the LIFECYCLE rows (exec, fork, exit): always attached, delivered when a policy
// selects them.
bool IsLifecycleEvent(uint16_t type);
// Parses a comma-separated list of event type names ("open,exec"; empty or "all" for every
// type), or an error naming the unknown type.
Result<std::set<uint16_t>> ParseEventTypeList(const std::string& list);

}  // namespace vigil::kernel
