// A fast 64-bit hash of byte strings and a flat, open-addressing map from strings to small
// integers, for the lookups the matcher makes on every event (the candidate index's value
// tables, string sets). Built once, read-only afterwards; a lookup hashes its key once and
// touches one contiguous slot array.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::match {

namespace hash_detail {
inline uint64_t Mix(uint64_t a, uint64_t b) {
  const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
}
inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
}  // namespace hash_detail

// Multiply-and-fold over 8-byte words (the idea behind wyhash; written for this project). The
// length is mixed in first, so strings that differ only by trailing NUL bytes differ.
inline uint64_t HashBytes(std::string_view s) {
  using hash_detail::Load64;
  using hash_detail::Mix;
  constexpr uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull,
                     k2 = 0x8ebc6af09c88c6e3ull;
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = Mix(k0 ^ n, k1);
  for (; n >= 16; p += 16, n -= 16) h = Mix(Load64(p) ^ h ^ k1, Load64(p + 8) ^ k2);
  if (n >= 8) {
    h = Mix(Load64(p) ^ h ^ k2, Load64(p + n - 8) ^ k1);
  } else if (n > 0) {
    uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    h = Mix(tail ^ h ^ k2, k1 ^ n);
  }
  return Mix(h ^ k0, k2);
}

// String -> uint32_t, insert-then-read. Keys live in one arena; slots hold the key's hash, so
// most probes that miss end without comparing bytes.
class FlatStringMap {
 public:
  static constexpr uint32_t kAbsent = ~uint32_t{0};

  // Maps `key` to `value` (not kAbsent) unless it is there already; returns the value it maps
  // to.
  uint32_t Insert(std::string_view key, uint32_t value) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    const uint64_t h = HashBytes(key);
    Slot& s = slots_[Probe(key, h)];
    if (s.value != kAbsent) return s.value;
    s.hash = h;
    s.offset = static_cast<uint32_t>(arena_.size());
    s.length = static_cast<uint32_t>(key.size());
    s.value = value;
    arena_.append(key);
    ++size_;
    return value;
  }

  // The value of `key`, or kAbsent.
  uint32_t Find(std::string_view key) const {
    if (size_ == 0) return kAbsent;
    return slots_[Probe(key, HashBytes(key))].value;
  }

  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t offset = 0, length = 0;
    uint32_t value = kAbsent;
  };

  // The index of the slot holding `key`, or of the empty slot where it would go (the table
  // is never more than half full, so the probe ends).
  size_t Probe(std::string_view key, uint64_t h) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = static_cast<size_t>(h) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.value == kAbsent) return i;
      if (s.hash == h && s.length == key.size() &&
          std::memcmp(arena_.data() + s.offset, key.data(), key.size()) == 0)
        return i;
    }
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    for (const Slot& s : old) {
      if (s.value == kAbsent) continue;
      const size_t mask = slots_.size() - 1;
      size_t i = static_cast<size_t>(s.hash) & mask;
      while (slots_[i].value != kAbsent) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::string arena_;
  size_t size_ = 0;
};

}  // namespace vigil::match
