// The values a numeric field can hold in a real event, where the kernel's record is narrower
// than the field's 64-bit type (a uid is 32 bits, a port 16, an exit code 8); the full range of
// the type otherwise. Test events (match/test_event.h) and replayed events
// (output/record_json.h) outside it are refused, with the range in the message.
#pragma once

#include <cstdint>

#include "lang/fields.h"

namespace vigil::lang {

struct ValueRange {
  int64_t min;
  uint64_t max;
  bool Contains(int64_t v) const { return v >= min && (v < 0 || static_cast<uint64_t>(v) <= max); }
  bool Contains(uint64_t v) const {
    return (min <= 0 || v >= static_cast<uint64_t>(min)) && v <= max;
  }
};

ValueRange FieldRange(FieldId id);

}  // namespace vigil::lang
