// The field registry: the one table of every field a rule can read. It drives type
// checking, `vigil fields`, docs/fields.md, the matcher's accessors and test-event defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lang/events.h"

namespace vigil::lang {

enum class Type : uint8_t { kString, kInt, kUint, kBool, kFlags, kAddress, kStringList };
std::string_view TypeName(Type type);

// Named constants a numeric or flags field accepts in place of numbers (O_CREAT, SIGKILL).
struct Constant {
  std::string_view name;
  int64_t value;
};

enum class FieldId : uint16_t;  // index into AllFields()

struct FieldInfo {
  std::string_view name;
  Type type;
  EventMask events;  // event types that carry the field
  std::string_view description;
  bool indexed = false;                      // written name[N] (proc.aname[1])
  const std::vector<Constant>* constants = nullptr;
};

const std::vector<FieldInfo>& AllFields();
std::optional<FieldId> FieldByName(std::string_view name);
const FieldInfo& Field(FieldId id);
// Looks a constant up among a field's named constants.
std::optional<int64_t> ConstantValue(const FieldInfo& field, std::string_view name);

// Closest known names within a small edit distance (for "did you mean").
std::vector<std::string> SuggestFieldNames(std::string_view name);

}  // namespace vigil::lang
