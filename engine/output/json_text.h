// JSON text written by hand, byte for byte as DumpJsonLine (record_json.h) writes the same
// values with nlohmann: strings escaped the same way (invalid UTF-8 becomes U+FFFD exactly where
// nlohmann's replace handler puts it; the C0 escapes JSON requires; DEL, the C1 controls and
// U+2028/U+2029 as \uXXXX), integers in decimal. The hot paths (replay, alerts) append to one
// buffer instead of building a tree of nlohmann values. Keys are written as given: callers
// write an object's keys in byte order, as nlohmann's sorted objects do.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::output {

// `s` as a JSON string, quotes included.
void AppendJsonString(std::string* out, std::string_view s);
void AppendJsonInt(std::string* out, int64_t v);
void AppendJsonUint(std::string* out, uint64_t v);
inline void AppendJsonBool(std::string* out, bool v) {
  out->append(v ? "true" : "false");
}

// `"key":`, for a key that needs no escaping (the callers' keys are fixed ASCII names).
inline void AppendJsonKey(std::string* out, std::string_view key) {
  out->push_back('"');
  out->append(key);
  out->append("\":", 2);
}

}  // namespace vigil::output
