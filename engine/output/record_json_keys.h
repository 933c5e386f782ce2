// The key paths of the event JSON as a tree of small hash tables, built once from the field
// registry and shared by the two readers of `vigil replay` lines (record_json_reader.cpp): the
// one-pass scanner (record_json_scan.h) and the simdjson walk. Each key's entry says what its
// value is (a field of some type, a namespace of more keys, a metadata key) and carries the
// stamp of the last line that saw it, so that a duplicate key is noticed without a set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lang/field_range.h"
#include "lang/fields.h"

namespace vigil::output::json_keys {

// One key of the event JSON at one level: a field, an indexed field (never in the JSON), a
// namespace of fields (an object, `child` its keys) or, at the top, one of the metadata keys.
struct Entry {
  // A field's kind is its type (evt.type has its own): a reader dispatches on the kind alone,
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
//
// Lines of one kind of event mostly have the same keys in the same order (the writers sort
// them), so each slot also remembers which key came after it last time (`next`), and the node
// which came first: the scanner compares the line's bytes with that key before it looks
// anything up.
struct Node {
  static constexpr uint32_t kNone = UINT32_MAX;
  // A key and a copy of its entry (a reader reads and stamps it there: no second lookup), in
  // one cache line.
  struct alignas(64) Slot {
    uint64_t head = 0;           // the key's first (up to) 8 bytes, zero-filled
    uint32_t size = UINT32_MAX;  // the key's length; UINT32_MAX: an empty slot
    uint32_t next = kNone;       // the slot of the key that followed this one last time
    const char* data = nullptr;
    Entry entry{Entry::kNamespace};
  };
  static_assert(sizeof(Slot) == 64);
  std::unordered_map<std::string_view, uint32_t> keys;  // key -> entry index
  std::vector<Slot> table;
  uint64_t mul = 0;
  unsigned shift = 64;
  size_t mask = 0;
  uint32_t first = kNone;  // the slot of the key that came first last time

  // The first min(8, n) bytes at `p` as a word, read with one 8-byte load: `p` must have 8
  // readable bytes (a key in simdjson's string buffer, which holds a NUL after each string and
  // padding after the last, or in a padded line).
  static uint64_t HeadWide(const char* p, size_t n) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return n >= 8 ? w : w & ((uint64_t{1} << (8 * n)) - 1);  // little-endian: the first n
  }
  static uint64_t HeadExact(std::string_view k);
  size_t Index(uint64_t head, size_t n) const {
    return static_cast<size_t>(((head + n) * mul) >> shift);
  }
  // Builds the table from `keys` and the entries they index.
  void Seal(const std::vector<Entry>& entries);
  // The slot of `k`, or nullptr. `k` must have 8 readable bytes (see HeadWide).
  Slot* FindSlot(std::string_view k) {
    const uint64_t head = HeadWide(k.data(), k.size());
    for (size_t i = Index(head, k.size());; i = (i + 1) & mask) {
      Slot& slot = table[i];
      if (slot.head == head && slot.size == k.size() &&
          (k.size() <= 8 || std::memcmp(slot.data + 8, k.data() + 8, k.size() - 8) == 0))
        return &slot;
      if (slot.size == UINT32_MAX) return nullptr;
    }
  }
  Entry* Find(std::string_view k) {
    Slot* slot = FindSlot(k);
    return slot ? &slot->entry : nullptr;
  }
  // Whether the bytes at `p` (8 readable) are key `slot`'s and then a quote, before `end`.
  static bool KeyAt(const Slot& slot, const char* p, const char* end) {
    return p + slot.size < end && p[slot.size] == '"' && HeadWide(p, slot.size) == slot.head &&
           (slot.size <= 8 || std::memcmp(slot.data + 8, p + 8, slot.size - 8) == 0);
  }

 private:
  // Probes to find every key with multiplier `m` in a table of 2^bits slots.
  size_t Cost(uint64_t m, unsigned bits) const;
};

// Every key path of the event JSON: node 0 is the top level.
struct KeyTree {
  KeyTree();
  KeyTree(const KeyTree&) = delete;
  KeyTree& operator=(const KeyTree&) = delete;

  // A stamp for the next line read (both readers stamp the entries they see with it).
  uint64_t NextLine() { return ++line_stamp; }

  std::vector<Node> nodes;
  uint64_t line_stamp = 0;

 private:
  uint32_t EntryAt(uint32_t node, std::string_view key);
  uint32_t Namespace(uint32_t node, std::string_view key);
  std::vector<Entry> entries_;  // while building
};

}  // namespace vigil::output::json_keys
