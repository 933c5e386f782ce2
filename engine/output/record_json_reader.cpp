#include "output/record_json_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "lang/events.h"
#include "lang/field_range.h"
#include "lang/fields.h"

namespace vigil::output {
namespace {

// One key of the event JSON at one level: a field, an indexed field (never in the JSON), a
// namespace of fields (an object, `child` its keys) or, at the top, one of the metadata keys.
struct Entry {
  // A field's kind is its type (evt.type has its own): the walk dispatches on the kind alone,
  // one indirect branch a key.
  enum Kind {
    kString,
    kEventType,
    kInt,
    kUint,  // and flags
    kBool,
    kAddress,
    kStringList,
    kIndexed,
    kNamespace,
    kIncomplete,
    kPolicyVersion,
    kPolicies
  } kind;
  lang::FieldId id{};
  lang::ValueRange range{0, 0};  // a number field's range, looked up once
  uint32_t child = 0;            // node of a namespace's keys
  uint64_t stamp = 0;  // the line that last saw this key: a second sighting is a duplicate
};

// The keys of one object level: built with a map, then looked up in an open-addressing table.
// Keys are short (most under 8 bytes), so each slot keeps a key's length and its first 8 bytes
// as one word: a probe compares two integers, and only a key longer than 8 bytes compares the
// rest. The hash multiplies that word (plus the length) and keeps the top bits; Seal() tries a
// few multipliers and keeps the one with the fewest probes, so most lookups take one.
struct Node {
  // A key and a copy of its entry (the walk reads and stamps it there: no second lookup), in
  // one cache line.
  struct alignas(64) Slot {
    uint64_t head = 0;           // the key's first (up to) 8 bytes, zero-filled
    uint32_t size = UINT32_MAX;  // the key's length; UINT32_MAX: an empty slot
    const char* data = nullptr;
    Entry entry{Entry::kNamespace};
  };
  std::unordered_map<std::string_view, uint32_t> keys;  // key -> entry index
  std::vector<Slot> table;
  uint64_t mul = 0;
  unsigned shift = 64;
  size_t mask = 0;

  // The first min(8, n) bytes at `p` as a word, read with one 8-byte load: only for keys in
  // simdjson's string buffer, which holds a NUL after each string and SIMDJSON_PADDING bytes
  // after the last one, so the load stays in the buffer.
  static uint64_t HeadWide(const char* p, size_t n) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return n >= 8 ? w : w & ((uint64_t{1} << (8 * n)) - 1);  // little-endian: the first n
  }
  static uint64_t HeadExact(std::string_view k) {
    uint64_t w = 0;
    std::memcpy(&w, k.data(), std::min<size_t>(k.size(), 8));
    return w;
  }
  size_t Index(uint64_t head, size_t n) const {
    return static_cast<size_t>(((head + n) * mul) >> shift);
  }
  // Probes to find every key with multiplier `m` in a table of 2^bits slots.
  size_t Cost(uint64_t m, unsigned bits) const {
    std::vector<bool> used(size_t{1} << bits);
    size_t probes = 0;
    for (const auto& [k, e] : keys) {
      size_t i = static_cast<size_t>(((HeadExact(k) + k.size()) * m) >> (64 - bits));
      for (++probes; used[i]; i = (i + 1) & (used.size() - 1)) ++probes;
      used[i] = true;
    }
    return probes;
  }
  void Seal(const std::vector<Entry>& entries) {
    unsigned bits = 3;
    while ((size_t{1} << bits) < keys.size() * 4) ++bits;
    // Odd constants with well-mixed bits; the first that reaches one probe a key wins.
    static constexpr uint64_t kMuls[] = {0x9e3779b97f4a7c15, 0xbf58476d1ce4e5b9,
                                         0x94d049bb133111eb, 0xff51afd7ed558ccd,
                                         0xc4ceb9fe1a85ec53, 0xd6e8feb86659fd93};
    size_t best = SIZE_MAX;
    for (uint64_t m : kMuls) {
      const size_t cost = Cost(m, bits);
      if (cost < best) best = cost, mul = m;
      if (cost == keys.size()) break;
    }
    shift = 64 - bits;
    mask = (size_t{1} << bits) - 1;
    table.assign(size_t{1} << bits, Slot{});
    for (const auto& [k, e] : keys) {
      size_t i = Index(HeadExact(k), k.size());
      while (table[i].size != UINT32_MAX) i = (i + 1) & mask;
      table[i] = {HeadExact(k), static_cast<uint32_t>(k.size()), k.data(), entries[e]};
    }
  }
  // The entry of `k`, or nullptr. `k` must be a simdjson key (see HeadWide).
  Entry* Find(std::string_view k) {
    const uint64_t head = HeadWide(k.data(), k.size());
    for (size_t i = Index(head, k.size());; i = (i + 1) & mask) {
      Slot& slot = table[i];
      if (slot.head == head && slot.size == k.size() &&
          (k.size() <= 8 || std::memcmp(slot.data + 8, k.data() + 8, k.size() - 8) == 0))
        return &slot.entry;
      if (slot.size == UINT32_MAX) return nullptr;
    }
  }
};

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
  Impl() {
    nodes.emplace_back();  // the root
    const auto& all = lang::AllFields();
    for (size_t i = 0; i < all.size(); ++i) {
      const std::string_view name = all[i].name;
      uint32_t node = 0;
      size_t start = 0;
      for (size_t dot = name.find('.'); dot != std::string_view::npos;
           dot = name.find('.', start)) {
        node = Namespace(node, name.substr(start, dot - start));
        start = dot + 1;
      }
      // A name that is a field and also a prefix of others is read as the field, as
      // RecordFromJson does.
      const uint32_t e = EntryAt(node, name.substr(start));
      entries[e].kind = all[i].indexed ? Entry::kIndexed
                        : static_cast<lang::FieldId>(i) == lang::FieldId::kEvtType
                            ? Entry::kEventType
                            : FieldKind(all[i].type);
      entries[e].id = static_cast<lang::FieldId>(i);
      entries[e].range = lang::FieldRange(static_cast<lang::FieldId>(i));
    }
    for (auto [key, kind] : {std::pair{"incomplete", Entry::kIncomplete},
                             {"policy_version", Entry::kPolicyVersion},
                             {"policies", Entry::kPolicies}})
      if (!nodes[0].keys.count(key)) entries[EntryAt(0, key)].kind = kind;
    for (auto& n : nodes) n.Seal(entries);
  }

  static Entry::Kind FieldKind(lang::Type type) {
    switch (type) {
      case lang::Type::kString:
        return Entry::kString;
      case lang::Type::kInt:
        return Entry::kInt;
      case lang::Type::kUint:
      case lang::Type::kFlags:
        return Entry::kUint;
      case lang::Type::kBool:
        return Entry::kBool;
      case lang::Type::kAddress:
        return Entry::kAddress;
      case lang::Type::kStringList:
        return Entry::kStringList;
    }
    return Entry::kIndexed;  // not reached: every type is above (a line then takes the other path)
  }

  uint32_t EntryAt(uint32_t node, std::string_view key) {
    auto [it, inserted] = nodes[node].keys.emplace(key, static_cast<uint32_t>(entries.size()));
    if (inserted) entries.push_back(Entry{Entry::kNamespace});
    return it->second;
  }

  uint32_t Namespace(uint32_t node, std::string_view key) {
    const uint32_t e = EntryAt(node, key);
    if (entries[e].child == 0) {
      entries[e].child = static_cast<uint32_t>(nodes.size());
      nodes.emplace_back();
    }
    return entries[e].child;
  }

  // True when the line was read; false sends it to RecordFromJsonLine.
  bool Read(std::string_view line, const PolicyIndex& policies, match::EventRecord* r,
            bool padded) {
    simdjson::dom::element doc;
    if (parser.parse(line.data(), line.size(), /*realloc_if_needed=*/!padded).get(doc) !=
        simdjson::SUCCESS)
      return false;
    simdjson::dom::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) return false;
    r->Clear();
    ++line_stamp;
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
    Node& keys = nodes[node];
    for (simdjson::dom::key_value_pair kv : obj) {
      Entry* found = keys.Find(kv.key);
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

  simdjson::dom::parser parser;
  std::vector<Node> nodes;
  std::vector<Entry> entries;
  uint64_t line_stamp = 0;
  std::string_view type_name;  // evt.type of the line being read (points into the record)
  bool has_type = false;
  bool unsigned_zero = false;  // the walk read a non-negative integer 0 (it may have been -0)
};

RecordJsonReader::RecordJsonReader() : impl_(std::make_unique<Impl>()) {}
RecordJsonReader::~RecordJsonReader() = default;

static_assert(RecordJsonReader::kPadding >= simdjson::SIMDJSON_PADDING);

Status RecordJsonReader::Read(std::string_view line, const PolicyIndex& policies,
                              match::EventRecord* r, bool padded) {
  if (impl_->Read(line, policies, r, padded)) {
    ++stats_.fast;
    return OkStatus();
  }
  ++stats_.slow;
  return RecordFromJsonLine(line, policies, r);
}

}  // namespace vigil::output
