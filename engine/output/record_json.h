// The enriched event as JSON (docs/events.md, "Layout"): nested objects whose key paths
// are the registry's field names ({"proc":{"parent":{"name":"bash"}}}), lists as arrays,
// flags as integers, addresses as strings, plus the optional top-level "incomplete",
// "policy_version" and "policies". An absent key is an absent field. `vigil record` writes
// this form, `vigil replay` reads it, and alerts embed it.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "match/event_record.h"
#include "util/result.h"

namespace vigil::output {

struct RecordJsonOptions {
  bool metadata = true;  // write incomplete / policy_version / policies
};

nlohmann::json RecordToJson(const match::EventRecord& r, const RecordJsonOptions& options = {});

// Policy names as an event may list them in "policies", with their bit index.
using PolicyIndex = std::map<std::string, unsigned, std::less<>>;

// One line of JSON for a terminal-safe log: invalid UTF-8 becomes U+FFFD, and beyond the
// C0 escapes JSON requires, DEL, the C1 controls (U+0080..U+009F) and U+2028/U+2029 are
// written as \uXXXX, so that no string can move a cursor or split a line anywhere.
std::string DumpJsonLine(const nlohmann::json& j);

// Fills `r` (cleared first) from one event object. Unknown keys are ignored (newer writers
// may add fields); a known field of the wrong JSON type or out of its range
// (lang::FieldRange: proc.uid is 32 bits), a namespace of fields that is not an object
// ("proc":"bash"), a missing or unknown evt.type, or a malformed address is an error naming
// the field. Without "policies", every policy matches.
Status RecordFromJson(const nlohmann::json& event, const PolicyIndex& policies,
                      match::EventRecord* r);

// One line of `vigil replay` input: parses the JSON, then RecordFromJson. A line that is not
// JSON (a syntax error, a number that overflows a double) is an error like any other.
Status RecordFromJsonLine(std::string_view line, const PolicyIndex& policies,
                          match::EventRecord* r);

}  // namespace vigil::output
