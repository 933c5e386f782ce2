#include "output/record_json_reader.h"

#include <simdjson.h>

#include <string>

#include "lang/events.h"
#include "output/record_json_keys.h"
#include "output/record_json_scan.h"

namespace vigil::output {
namespace {

using json_keys::Entry;

// The negative zero integer token (-0 not followed by a fraction or an exponent, where a value
// starts): nlohmann reads it as a signed integer (not a non-negative one), simdjson as 0. That
// matters only where a non-negative integer is read (a signed field takes -0 as 0 in both, and
// every other shape fails in both), so a line is scanned for it only when the walk read a
// non-negative 0; lines holding it (or, rarely, the same characters inside a string: "a:-0")
// then take the other path.
bool HasNegativeZeroInteger(std::string_view line) {
  for (size_t i = line.find("-0"); i != std::string_view::npos; i = line.find("-0", i + 1)) {
    const char next = i + 2 < line.size() ? line[i + 2] : '\0';
    if (next == '.' || next == 'e' || next == 'E' || (next >= '0' && next <= '9')) continue;
    // A value starts after ':', '[' or ',' (and blanks): "node-0" in a string is no number.
    size_t before = i;
    while (before > 0 && (line[before - 1] == ' ' || line[before - 1] == '\t' ||
                          line[before - 1] == '\r' || line[before - 1] == '\n'))
      --before;
    if (before == 0 || line[before - 1] == ':' || line[before - 1] == '[' ||
        line[before - 1] == ',')
      return true;
  }
  return false;
}

}  // namespace

struct RecordJsonReader::Impl {
  // True when the line was read; false sends it to RecordFromJsonLine.
  // `line` is padded (RecordJsonReader::kPadding).
  bool Read(std::string_view line, const PolicyIndex& policies, match::EventRecord* r) {
    simdjson::dom::element doc;
    if (parser.parse(line.data(), line.size(), /*realloc_if_needed=*/false).get(doc) !=
        simdjson::SUCCESS)
      return false;
    simdjson::dom::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) return false;
    r->Clear();
    line_stamp = keys.NextLine();
    type_name = {};
    has_type = false;
    unsigned_zero = false;
    if (!Walk(obj, 0, policies, r) || !has_type) return false;
    if (unsigned_zero && HasNegativeZeroInteger(line)) return false;
    auto type = lang::EventTypeByName(type_name);
    if (!type) return false;
    r->set_type(*type);
    return true;
  }

  bool Walk(simdjson::dom::object obj, uint32_t node, const PolicyIndex& policies,
            match::EventRecord* r) {
    json_keys::Node& level = keys.nodes[node];
    for (simdjson::dom::key_value_pair kv : obj) {
      Entry* found = level.Find(kv.key);
      if (found == nullptr) {
        // RecordFromJson joins keys with dots before looking them up: a key holding a dot
        // could name a field.
        if (kv.key.find('.') != std::string_view::npos) return false;
        continue;
      }
      Entry& e = *found;
      if (e.stamp == line_stamp) return false;  // a duplicate key: nlohmann keeps the last
      e.stamp = line_stamp;
      switch (e.kind) {
        case Entry::kString:
          if (!SetString(e, kv.value, r)) return false;
          break;
        case Entry::kEventType:
          if (!SetString(e, kv.value, r)) return false;
          type_name = r->String(e.id);
          has_type = true;
          break;
        case Entry::kInt:
          if (!SetInt(e, kv.value, r)) return false;
          break;
        case Entry::kUint:
          if (!SetUint(e, kv.value, r)) return false;
          break;
        case Entry::kBool:
          if (!SetBool(e, kv.value, r)) return false;
          break;
        case Entry::kAddress:
          if (!SetAddress(e, kv.value, r)) return false;
          break;
        case Entry::kStringList:
          if (!SetList(e, kv.value, r)) return false;
          break;
        case Entry::kIndexed:
          return false;
        case Entry::kNamespace: {
          simdjson::dom::object inner;
          if (kv.value.get_object().get(inner) != simdjson::SUCCESS) return false;
          if (!Walk(inner, e.child, policies, r)) return false;
          break;
        }
        case Entry::kIncomplete: {
          bool v = false;
          if (kv.value.get_bool().get(v) != simdjson::SUCCESS) return false;
          r->set_incomplete(v);
          break;
        }
        case Entry::kPolicyVersion: {
          uint64_t v = 0;
          if (!NonNegative(kv.value, &v) || v > UINT32_MAX) return false;
          r->set_policy_version(static_cast<uint32_t>(v));
          break;
        }
        case Entry::kPolicies:
          if (!SetPolicies(kv.value, policies, r)) return false;
          break;
      }
    }
    return true;
  }

  // A non-negative integer as nlohmann reads one (number_unsigned): no minus sign (a 0 may
  // have been -0: unsigned_zero has the line scanned for it), at most 2^64-1.
  bool NonNegative(simdjson::dom::element v, uint64_t* out) {
    switch (v.type()) {
      case simdjson::dom::element_type::INT64: {
        int64_t i = 0;
        if (v.get_int64().get(i) != simdjson::SUCCESS || i < 0) return false;
        if (i == 0) unsigned_zero = true;
        *out = static_cast<uint64_t>(i);
        return true;
      }
      case simdjson::dom::element_type::UINT64:
        return v.get_uint64().get(*out) == simdjson::SUCCESS;
      default:
        return false;
    }
  }

  bool SetPolicies(simdjson::dom::element v, const PolicyIndex& policies, match::EventRecord* r) {
    uint64_t bits = 0;
    if (NonNegative(v, &bits)) {
      r->set_policies(bits);
      return true;
    }
    simdjson::dom::array names;
    if (v.get_array().get(names) != simdjson::SUCCESS) return false;
    for (simdjson::dom::element name : names) {
      std::string_view s;
      if (name.get_string().get(s) != simdjson::SUCCESS) return false;
      auto p = policies.find(s);
      if (p != policies.end()) bits |= uint64_t{1} << p->second;
    }
    r->set_policies(bits);
    return true;
  }

  // The setters of the field kinds: false when the value has another shape or is out of range.
  static bool SetString(const Entry& e, simdjson::dom::element v, match::EventRecord* r) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) return false;
    r->SetString(e.id, s);
    return true;
  }
  static bool SetInt(const Entry& e, simdjson::dom::element v, match::EventRecord* r) {
    int64_t i = 0;
    if (v.type() != simdjson::dom::element_type::INT64 ||
        v.get_int64().get(i) != simdjson::SUCCESS || !e.range.Contains(i))
      return false;
    r->SetInt(e.id, i);
    return true;
  }
  bool SetUint(const Entry& e, simdjson::dom::element v, match::EventRecord* r) {
    uint64_t u = 0;
    if (!NonNegative(v, &u) || !e.range.Contains(u)) return false;
    r->SetUint(e.id, u);
    return true;
  }
  static bool SetBool(const Entry& e, simdjson::dom::element v, match::EventRecord* r) {
    bool b = false;
    if (v.get_bool().get(b) != simdjson::SUCCESS) return false;
    r->SetBool(e.id, b);
    return true;
  }
  static bool SetAddress(const Entry& e, simdjson::dom::element v, match::EventRecord* r) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) return false;
    auto a = ParseIpAddress(s);
    if (!a) return false;
    r->SetAddress(e.id, *a);
    return true;
  }
  static bool SetList(const Entry& e, simdjson::dom::element v, match::EventRecord* r) {
    simdjson::dom::array items;
    if (v.get_array().get(items) != simdjson::SUCCESS) return false;
    r->ClearList(e.id);
    for (simdjson::dom::element item : items) {
      std::string_view s;
      if (item.get_string().get(s) != simdjson::SUCCESS) return false;
      r->AppendToList(e.id, s);
    }
    return true;
  }

  json_keys::KeyTree keys;
  RecordLineScanner scanner{keys};
  simdjson::dom::parser parser;
  std::string padded_line;  // an unpadded line, copied with padding for the scanner
  uint64_t line_stamp = 0;
  std::string_view type_name;  // evt.type of the line being read (points into the record)
  bool has_type = false;
  bool unsigned_zero = false;  // the walk read a non-negative integer 0 (it may have been -0)
};

RecordJsonReader::RecordJsonReader() : impl_(std::make_unique<Impl>()) {}
RecordJsonReader::~RecordJsonReader() = default;

static_assert(RecordJsonReader::kPadding >= simdjson::SIMDJSON_PADDING);
static_assert(RecordJsonReader::kPadding >= RecordLineScanner::kPadding);

Status RecordJsonReader::Read(std::string_view line, const PolicyIndex& policies,
                              match::EventRecord* r, bool padded) {
  if (!padded) {
    impl_->padded_line.assign(line);
    impl_->padded_line.append(kPadding, ' ');
    line = std::string_view(impl_->padded_line.data(), line.size());
  }
  if (impl_->scanner.Read(line, policies, r)) {
    ++stats_.scanned;
    return OkStatus();
  }
  if (impl_->Read(line, policies, r)) {
    ++stats_.fast;
    return OkStatus();
  }
  ++stats_.slow;
  return RecordFromJsonLine(line, policies, r);
}

}  // namespace vigil::output
