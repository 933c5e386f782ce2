#include "match/test_event.h"

#include "lang/field_range.h"
#include "match/derive.h"

namespace vigil::match {

using lang::FieldId;
namespace {

using Kind = lang::ast::Value::Kind;

std::optional<int64_t> Number(const lang::FieldInfo& info, const lang::ast::Value& v) {
  if (v.kind == Kind::kInt) return v.number;
  if (v.constant) return v.constant;
  if (v.kind == Kind::kWord || v.kind == Kind::kField) return lang::ConstantValue(info, v.text);
  return std::nullopt;
}

bool SetValue(lang::FieldId id, const lang::ast::Value& v, EventRecord* r, std::string* error) {
  const lang::FieldInfo& info = lang::Field(id);
  auto fail = [&](const std::string& what) {
    *error = std::string(info.name) + " is " + std::string(lang::TypeName(info.type)) + ": " + what;
    return false;
  };
  bool text = v.kind == Kind::kString || v.kind == Kind::kWord;
  switch (info.type) {
    case lang::Type::kString:
      if (!text) return fail("expected a string");
      r->SetString(id, v.text);
      return true;
    case lang::Type::kInt:
    case lang::Type::kUint: {
      auto n = Number(info, v);
      if (!n) return fail("expected a number or one of its named constants");
      if (info.type == lang::Type::kUint && *n < 0) return fail("expected a non-negative number");
      if (const lang::ValueRange range = lang::FieldRange(id); !range.Contains(*n))
        return fail(std::to_string(*n) + " is out of range (" + std::to_string(range.min) + ".." +
                    std::to_string(range.max) + ")");
      r->SetInt(id, *n);
      return true;
    }
    case lang::Type::kFlags: {
      uint64_t bits = 0;
      if (v.kind == Kind::kList) {
        for (const auto& item : v.items) {
          auto n = Number(info, item);
          if (!n) return fail("expected flag names or numbers");
          bits |= static_cast<uint64_t>(*n);
        }
      } else {
        auto n = Number(info, v);
        if (!n) return fail("expected flags: [A, B] or a number");
        bits = static_cast<uint64_t>(*n);
      }
      r->SetUint(id, bits);
      return true;
    }
    case lang::Type::kBool:
      if (v.kind != Kind::kBool) return fail("expected true or false");
      r->SetBool(id, v.boolean);
      return true;
    case lang::Type::kAddress: {
      auto a = text ? ParseIpAddress(v.text) : std::nullopt;
      if (!a) return fail("expected an IPv4 or IPv6 address");
      r->SetAddress(id, *a);
      return true;
    }
    case lang::Type::kStringList:
      if (v.kind != Kind::kList) return fail("expected a list of strings");
      r->ClearList(id);
      for (const auto& item : v.items) {
        if (item.kind != Kind::kString && item.kind != Kind::kWord)
          return fail("expected a list of strings");
        r->AppendToList(id, item.text);
      }
      return true;
  }
  return fail("unsupported type");
}

}  // namespace

Result<Ok, lang::Diagnostics> RecordFromTestCase(const lang::ast::TestCase& tc,
                                                 EventRecord* record) {
  auto fail = [](lang::SourceLoc loc, std::string message) {
    lang::Diagnostics diags;
    diags.Add(lang::Code::kBadTestCase, loc, std::move(message));
    return diags;
  };
  record->Clear();
  auto type = lang::EventTypeByName(tc.event);
  if (!type) {
    return fail(tc.event_loc, "unknown event type '" + tc.event + "'");
  }
  record->set_type(*type);
  for (const auto& [fref, value] : tc.fields) {
    auto id = fref.field ? fref.field : lang::FieldByName(fref.text);
    if (!id) {
      return fail(fref.loc, "unknown field '" + fref.text + "'");
    }
    if (lang::Field(*id).indexed) {
      return fail(fref.loc, "a test cannot set " + fref.text +
                                "[N] alone: give proc.ancestors.name, "
                                "nearest first");
    }
    std::string message;
    if (!SetValue(*id, value, record, &message)) {
      return fail(value.loc, message);
    }
  }
  CompleteOfflineRecord(*record);
  return Ok{};
}

}  // namespace vigil::match
