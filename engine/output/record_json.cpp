#include "output/record_json.h"

#include <unordered_map>

#include "lang/field_range.h"
#include "match/field_text.h"

namespace vigil::output {
namespace {

using nlohmann::json;

// What a key path of the event JSON names: a field (its id), an indexed field (proc.aname,
// which the JSON never holds: it is read from proc.ancestors.name) or a namespace of fields
// ("proc", "proc.parent"), whose value must be an object.
struct KeyPath {
  enum Kind { kField, kIndexed, kNamespace } kind;
  lang::FieldId id;
};

const std::unordered_map<std::string_view, KeyPath>& KeyPaths() {
  static const auto* kMap = [] {
    auto* m = new std::unordered_map<std::string_view, KeyPath>();
    const auto& all = lang::AllFields();
    for (size_t i = 0; i < all.size(); ++i) {
      auto id = static_cast<lang::FieldId>(i);
      std::string_view name = all[i].name;
      m->insert_or_assign(name, KeyPath{all[i].indexed ? KeyPath::kIndexed : KeyPath::kField, id});
      for (size_t dot = name.find('.'); dot != std::string_view::npos;
           dot = name.find('.', dot + 1))
        m->emplace(name.substr(0, dot), KeyPath{KeyPath::kNamespace, id});
    }
    return m;
  }();
  return *kMap;
}

json FieldValue(const match::EventRecord& r, lang::FieldId id) {
  switch (lang::Field(id).type) {
    case lang::Type::kString:
      return std::string(r.String(id));
    case lang::Type::kInt:
      return r.Int(id);
    case lang::Type::kUint:
    case lang::Type::kFlags:
      return r.Uint(id);
    case lang::Type::kBool:
      return r.Bool(id);
    case lang::Type::kAddress:
      return IpAddressText(r.Address(id));
    case lang::Type::kStringList: {
      json a = json::array();
      for (const auto& s : r.List(id)) a.push_back(s);
      return a;
    }
  }
  return nullptr;
}

const char* JsonTypeName(const json& v) {
  if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0)
    return "a negative integer";
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a fractional number";
  return v.type_name();
}

class Reader {
 public:
  Reader(match::EventRecord* r, std::string* error) : r_(r), error_(error) {}

  // Walks an object of the field layout; `prefix` is the dotted path so far. Only the
  // namespaces of known fields are entered (they nest a few levels deep): any other key is
  // ignored, whatever its value, for writers newer than this reader.
  bool Walk(const json& obj, const std::string& prefix) {
    for (const auto& [key, value] : obj.items()) {
      std::string path = prefix.empty() ? key : prefix + "." + key;
      auto it = KeyPaths().find(path);
      if (it == KeyPaths().end()) continue;
      switch (it->second.kind) {
        case KeyPath::kField:
          if (!Set(it->second.id, value)) return false;
          break;
        case KeyPath::kIndexed:
          *error_ = path + ": an indexed field (" + path +
                    "[N]) is not part of the event JSON: it is read from its list";
          return false;
        case KeyPath::kNamespace:
          if (!value.is_object()) {
            *error_ = path + ": expected an object of fields (" + path + ".*), found " +
                      JsonTypeName(value);
            return false;
          }
          if (!Walk(value, path)) return false;
          break;
      }
    }
    return true;
  }

 private:
  bool Fail(lang::FieldId id, const std::string& expected, const json& v) {
    *error_ =
        std::string(lang::Field(id).name) + ": expected " + expected + ", found " + JsonTypeName(v);
    return false;
  }

  bool OutOfRange(lang::FieldId id, const json& v) {
    const lang::ValueRange range = lang::FieldRange(id);
    *error_ = std::string(lang::Field(id).name) + ": " + v.dump() + " is out of range (" +
              std::to_string(range.min) + ".." + std::to_string(range.max) + ")";
    return false;
  }

  bool Set(lang::FieldId id, const json& v) {
    const lang::FieldInfo& info = lang::Field(id);
    switch (info.type) {
      case lang::Type::kString:
        if (!v.is_string()) return Fail(id, "a string", v);
        r_->SetString(id, v.get_ref<const std::string&>());
        return true;
      case lang::Type::kInt:
        if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
          return Fail(id, "a signed 64-bit integer", v);
        if (!v.is_number_integer()) return Fail(id, "an integer", v);
        if (!lang::FieldRange(id).Contains(v.get<int64_t>())) return OutOfRange(id, v);
        r_->SetInt(id, v.get<int64_t>());
        return true;
      case lang::Type::kUint:
      case lang::Type::kFlags:
        if (!v.is_number_unsigned()) return Fail(id, "a non-negative integer", v);
        if (!lang::FieldRange(id).Contains(v.get<uint64_t>())) return OutOfRange(id, v);
        r_->SetUint(id, v.get<uint64_t>());
        return true;
      case lang::Type::kBool:
        if (!v.is_boolean()) return Fail(id, "true or false", v);
        r_->SetBool(id, v.get<bool>());
        return true;
      case lang::Type::kAddress: {
        if (!v.is_string()) return Fail(id, "an address string", v);
        auto a = ParseIpAddress(v.get_ref<const std::string&>());
        if (!a) {
          *error_ = std::string(info.name) + ": not an IPv4 or IPv6 address";
          return false;
        }
        r_->SetAddress(id, *a);
        return true;
      }
      case lang::Type::kStringList:
        if (!v.is_array()) return Fail(id, "an array of strings", v);
        r_->ClearList(id);
        for (const auto& item : v) {
          if (!item.is_string()) return Fail(id, "an array of strings", item);
          r_->AppendToList(id, item.get_ref<const std::string&>());
        }
        return true;
    }
    return false;
  }

  match::EventRecord* r_;
  std::string* error_;
};

}  // namespace

json RecordToJson(const match::EventRecord& r, const RecordJsonOptions& options) {
  json out = json::object();
  const auto& all = lang::AllFields();
  for (size_t i = 0; i < all.size(); ++i) {
    auto id = static_cast<lang::FieldId>(i);
    if (all[i].indexed || !r.Has(id)) continue;
    json* node = &out;
    std::string_view name = all[i].name;
    size_t start = 0;
    for (size_t dot = name.find('.'); dot != std::string_view::npos; dot = name.find('.', start)) {
      node = &(*node)[std::string(name.substr(start, dot - start))];
      start = dot + 1;
    }
    (*node)[std::string(name.substr(start))] = FieldValue(r, id);
  }
  if (options.metadata) {
    if (r.incomplete()) out["incomplete"] = true;
    if (r.policy_version() != 0) out["policy_version"] = r.policy_version();
    if (r.policies() != ~uint64_t{0}) out["policies"] = r.policies();
  }
  return out;
}

std::string DumpJsonLine(const json& j) {
  std::string raw = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    unsigned char next = i + 1 < raw.size() ? static_cast<unsigned char>(raw[i + 1]) : 0;
    if (c == 0x7f) {
      out += "\\u007f";
    } else if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {  // U+0080..U+009F (C1 controls)
      static const char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[next >> 4];
      out += kHex[next & 15];
      ++i;
    } else if (c == 0xe2 && next == 0x80 && i + 2 < raw.size() &&
               (raw[i + 2] == '\xa8' || raw[i + 2] == '\xa9')) {  // U+2028, U+2029
      out += raw[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

Status RecordFromJsonLine(std::string_view line, const PolicyIndex& policies,
                          match::EventRecord* r) {
  // Any JSON exception (a syntax error, a number that overflows a double: 1e400) makes the
  // line malformed, never an abort.
  try {
    return RecordFromJson(json::parse(line), policies, r);
  } catch (const json::exception& e) {
    r->Clear();
    return Error{e.what()};
  }
}

Status RecordFromJson(const json& event, const PolicyIndex& policies, match::EventRecord* r) {
  r->Clear();
  if (!event.is_object()) {
    return Error{std::string("expected a JSON object, found ") + JsonTypeName(event)};
  }
  auto evt = event.find("evt");
  const json* type = nullptr;
  if (evt != event.end() && !evt->is_object()) {
    return Error{std::string("evt: expected an object of fields (evt.*), found ") +
                 JsonTypeName(*evt)};
  }
  if (evt != event.end()) {
    auto t = evt->find("type");
    if (t != evt->end()) type = &*t;
  }
  if (!type) {
    return Error{"evt.type is missing"};
  }
  if (!type->is_string()) {
    return Error{std::string("evt.type: expected a string, found ") + JsonTypeName(*type)};
  }
  auto parsed = lang::EventTypeByName(type->get_ref<const std::string&>());
  if (!parsed) {
    return Error{"evt.type: unknown event type"};
  }
  r->set_type(*parsed);
  if (std::string error; !Reader(r, &error).Walk(event, "")) return Error{error};

  if (auto it = event.find("incomplete"); it != event.end()) {
    if (!it->is_boolean()) {
      return Error{std::string("incomplete: expected true or false, found ") + JsonTypeName(*it)};
    }
    r->set_incomplete(it->get<bool>());
  }
  if (auto it = event.find("policy_version"); it != event.end()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() > UINT32_MAX) {
      return Error{"policy_version: expected a 32-bit unsigned integer"};
    }
    r->set_policy_version(it->get<uint32_t>());
  }
  if (auto it = event.find("policies"); it != event.end()) {
    if (it->is_number_unsigned()) {
      r->set_policies(it->get<uint64_t>());
    } else if (it->is_array()) {
      uint64_t bits = 0;
      for (const auto& name : *it) {
        if (!name.is_string()) {
          return Error{"policies: expected a bitmap or an array of policy names"};
        }
        auto p = policies.find(name.get_ref<const std::string&>());
        if (p != policies.end()) bits |= uint64_t{1} << p->second;
      }
      r->set_policies(bits);
    } else {
      return Error{"policies: expected a bitmap or an array of policy names"};
    }
  }
  return OkStatus();
}

}  // namespace vigil::output
