// The field registry: every field a rule can read, from the one table in lang/field_table.h.
// It drives type checking, `vigil fields`, docs/fields.md, the matcher's accessors and
// test-event defaults. Code that reads a known field uses its FieldId constant
// (FieldId::kProcPid); names are looked up only for what users write (rules, templates, tests).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lang/events.h"
#include "lang/field_table.h"

namespace vigil::lang {

enum class Type : uint8_t { kString, kInt, kUint, kBool, kFlags, kAddress, kStringList };
std::string_view TypeName(Type type);

// Named constants a numeric or flags field accepts in place of numbers (O_CREAT, SIGKILL).
struct Constant {
  std::string_view name;
  int64_t value;
};

// One constant per row of VIGIL_FIELDS, in table order: a FieldId indexes AllFields().
enum class FieldId : uint16_t {
#define VIGIL_X_FIELD_ID(Id, ...) k##Id,
  VIGIL_FIELDS(VIGIL_X_FIELD_ID)
#undef VIGIL_X_FIELD_ID
};
inline constexpr size_t kFieldCount = 0
#define VIGIL_X_FIELD_COUNT(...) +1
    VIGIL_FIELDS(VIGIL_X_FIELD_COUNT)
#undef VIGIL_X_FIELD_COUNT
    ;

struct FieldInfo {
  std::string_view name;
  Type type;
  EventMask events;  // event types that carry the field
  std::string_view description;
  bool indexed = false;  // written name[N] (proc.aname[1])
  const std::vector<Constant>* constants = nullptr;
};

// Every field, in FieldId order: AllFields()[i] is the field of FieldId i.
std::span<const FieldInfo> AllFields();
std::optional<FieldId> FieldByName(std::string_view name);

// The NAME of a keyed field (proc.env[NAME]) in an output template: letters, digits and '_',
// not starting with a digit (what the condition grammar accepts there).
bool IsFieldKey(std::string_view name);
const FieldInfo& Field(FieldId id);
// Looks a constant up among a field's named constants.
std::optional<int64_t> ConstantValue(const FieldInfo& field, std::string_view name);

// Closest known names within a small edit distance (for "did you mean").
std::vector<std::string> SuggestFieldNames(std::string_view name);

}  // namespace vigil::lang
