// An open-addressing hash index from a non-zero integer key (entity, pid) to a small value (a
// slot number, an entity): one probe sequence in one flat array, no allocation per entry, which
// is what keeps the process tree at millions of lifecycle updates per second. Key 0 is reserved
// as "empty". Linear probing with backward-shift deletion (no tombstones).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vigil::proctree {

template <class Key, class Value>
class FlatIndex {
 public:
  explicit FlatIndex(size_t expected = 1024) { Rehash(CapacityFor(expected)); }

  // The value for key, or null.
  const Value* Find(Key key) const {
    if (key == 0) return nullptr;
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      const Entry& e = table_[i];
      if (e.key == key) return &e.value;
      if (e.key == 0) return nullptr;
    }
  }
  Value* Find(Key key) {
    return const_cast<Value*>(static_cast<const FlatIndex*>(this)->Find(key));
  }

  // Inserts key -> value unless key is present; returns the stored value and whether inserted.
  // Key 0 is refused (returns {nullptr, false}).
  std::pair<Value*, bool> Insert(Key key, Value value) {
    if (key == 0) return {nullptr, false};
    if ((size_ + 1) * 2 > table_.size()) Rehash(table_.size() * 2);
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      Entry& e = table_[i];
      if (e.key == key) return {&e.value, false};
      if (e.key == 0) {
        e.key = key;
        e.value = value;
        ++size_;
        return {&e.value, true};
      }
    }
  }

  bool Erase(Key key) {
    size_t i;
    if (!Locate(key, &i)) return false;
    EraseAt(i);
    return true;
  }

  // Erases key only while it still maps to `expected` (a pid now owned by another process stays).
  bool EraseIfValue(Key key, const Value& expected) {
    size_t i;
    if (!Locate(key, &i) || !(table_[i].value == expected)) return false;
    EraseAt(i);
    return true;
  }

  size_t size() const { return size_; }
  size_t capacity() const { return table_.size(); }
  size_t bytes() const { return table_.size() * sizeof(Entry); }

 private:
  struct Entry {
    Key key = 0;
    Value value{};
  };

  bool Locate(Key key, size_t* at) const {
    if (key == 0) return false;
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      if (table_[i].key == key) {
        *at = i;
        return true;
      }
      if (table_[i].key == 0) return false;
    }
  }

  void EraseAt(size_t i) {
    // Backward shift: move later entries of the cluster into the hole when their home allows.
    size_t hole = i;
    for (size_t j = (i + 1) & mask_; table_[j].key != 0; j = (j + 1) & mask_) {
      size_t home = Home(table_[j].key);
      // Entry j stays when its home lies cyclically in (hole, j].
      bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!stays) {
        table_[hole] = table_[j];
        hole = j;
      }
    }
    table_[hole] = Entry{};
    --size_;
  }

  static size_t CapacityFor(size_t n) {
    size_t c = 16;
    while (c < n * 2) c *= 2;
    return c;
  }
  // Keys may be small consecutive numbers (pids): spread them with a multiplicative mix.
  size_t Home(Key key) const {
    return static_cast<size_t>((static_cast<uint64_t>(key) * 0x9e3779b97f4a7c15ULL) >> shift_);
  }

  void Rehash(size_t capacity) {
    std::vector<Entry> old = std::move(table_);
    table_.assign(capacity, Entry{});
    mask_ = capacity - 1;
    shift_ = 64;
    for (size_t c = capacity; c > 1; c >>= 1) --shift_;
    size_ = 0;
    for (const Entry& e : old) {
      if (e.key != 0) Insert(e.key, e.value);
    }
  }

  std::vector<Entry> table_;
  size_t mask_ = 0;
  unsigned shift_ = 64;
  size_t size_ = 0;
};

}  // namespace vigil::proctree
