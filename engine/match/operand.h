// The left (or right) side of a predicate after compilation: a field, with its index for
// proc.aname[N], and the transformers applied to it, innermost first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lang/fields.h"
#include "match/event_record.h"

namespace vigil::match {

enum class Transform : uint8_t { kLower, kBasename, kDirname, kLen };
const char* TransformName(Transform t);

// Integers of every numeric type compare exactly as 128-bit values (int64 vs uint64 included).
using Wide = __int128;

struct Operand {
  lang::FieldId field{};
  int index = -1;   // proc.aname[N]
  std::string key;  // proc.env[NAME]: the value of the list's NAME=value entry
  std::vector<Transform> transforms;
  lang::Type field_type = lang::Type::kString;
  lang::Type type = lang::Type::kString;  // after transforms (len() gives int)

  // As written: lower(basename(proc.exe)), proc.aname[2].
  std::string Describe() const;
  // Whether the value exists in `r` (for proc.aname[N]: the N-th ancestor is known).
  bool Present(const EventRecord& r) const;
};

// Reading an operand never allocates once `scratch` has grown to the working size; `scratch`
// backs the result of lower(). Every reader returns false when the field is absent.
bool ReadStringSlow(const Operand& op, const EventRecord& r, std::string& scratch,
                    std::string_view* out);
bool ReadNumberSlow(const Operand& op, const EventRecord& r, Wide* out);

// The common case (a plain field, no index, no transformer) is inlined.
inline bool ReadString(const Operand& op, const EventRecord& r, std::string& scratch,
                       std::string_view* out) {
  if (op.index < 0 && op.key.empty() && op.transforms.empty()) {
    if (!r.Has(op.field)) return false;
    *out = r.String(op.field);
    return true;
  }
  return ReadStringSlow(op, r, scratch, out);
}

inline bool ReadNumber(const Operand& op, const EventRecord& r, Wide* out) {
  if (op.transforms.empty() && op.key.empty()) {
    if (!r.Has(op.field)) return false;
    if (op.field_type == lang::Type::kInt)
      *out = r.Int(op.field);
    else
      *out = r.Uint(op.field);
    return true;
  }
  return ReadNumberSlow(op, r, out);
}

// proc.aname[N] and the other indexed fields: the N-th entry of their list (1-based).
bool ReadIndexed(const Operand& op, const EventRecord& r, std::string_view* out);
// proc.env[NAME]: the value of the first NAME=value entry of the list.
bool ReadKeyed(const Operand& op, const EventRecord& r, std::string_view* out);

}  // namespace vigil::match
