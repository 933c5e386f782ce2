#include "match/field_text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace vigil::match {
namespace {

constexpr uint64_t kAccMode = 3;

bool IsAccessMode(lang::FieldId field, uint64_t value) {
  return field == lang::FieldId::kOpenFlags && value <= 2;
}

}  // namespace

FlagTest MakeFlagTest(lang::FieldId field, std::string name, uint64_t value) {
  if (IsAccessMode(field, value)) return {kAccMode, value, std::move(name)};
  return {value, value, std::move(name)};
}

std::string FlagsText(lang::FieldId field, uint64_t value) {
  const lang::FieldInfo& info = lang::Field(field);
  if (!info.constants) return std::to_string(value);
  std::string out;
  uint64_t named = 0;
  for (const auto& c : *info.constants) {
    uint64_t v = static_cast<uint64_t>(c.value);
    FlagTest t = MakeFlagTest(field, "", v);
    if (t.mask == 0) continue;  // a zero-valued flag outside an access-mode field names nothing
    if ((value & t.mask) != t.bits) continue;
    out += (out.empty() ? "" : "|") + std::string(c.name);
    named |= t.mask;
  }
  uint64_t rest = value & ~named;
  if (rest != 0) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(rest));
    out += (out.empty() ? "" : "|") + std::string(hex);
  }
  return out.empty() ? "0" : out;
}

void AppendKeyedFieldText(const EventRecord& r, lang::FieldId field, const std::string& key,
                          std::string* out) {
  Operand op;
  op.field = field;
  op.key = key;
  std::string_view v;
  out->append(ReadKeyed(op, r, &v) ? v : kAbsentText);
}

void AppendFieldText(const EventRecord& r, lang::FieldId field, int index, std::string* out) {
  const lang::FieldInfo& info = lang::Field(field);
  if (index >= 0 && info.type == lang::Type::kStringList) {  // {proc.args[1]}: one element
    auto list = r.Has(field) ? r.List(field) : std::span<const std::string>();
    out->append(static_cast<size_t>(index) < list.size() ? std::string_view(list[index])
                                                         : std::string_view(kAbsentText));
    return;
  }
  if (index >= 0) {
    Operand op;
    op.field = field;
    op.index = index;
    std::string_view v;
    if (ReadIndexed(op, r, &v))
      out->append(v);
    else
      out->append(kAbsentText);
    return;
  }
  if (!r.Has(field)) {
    out->append(kAbsentText);
    return;
  }
  switch (info.type) {
    case lang::Type::kString:
      out->append(r.String(field));
      return;
    case lang::Type::kInt:
      out->append(std::to_string(r.Int(field)));
      return;
    case lang::Type::kUint:
      out->append(std::to_string(r.Uint(field)));
      return;
    case lang::Type::kBool:
      out->append(r.Bool(field) ? "true" : "false");
      return;
    case lang::Type::kFlags:
      out->append(FlagsText(field, r.Uint(field)));
      return;
    case lang::Type::kAddress:
      out->append(IpAddressText(r.Address(field)));
      return;
    case lang::Type::kStringList: {
      out->push_back('[');
      bool first = true;
      for (const auto& item : r.List(field)) {
        if (!first) out->append(", ");
        first = false;
        out->append(item);
      }
      out->push_back(']');
      return;
    }
  }
}

}  // namespace vigil::match
