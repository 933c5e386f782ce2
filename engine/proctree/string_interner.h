// Shares equal strings between processes (names, executables, argument lists, cgroup paths) so
// 100,000 processes running a few hundred programs keep each text once. Handles are reference
// counted: the text is freed when the last process holding it goes. Single-threaded, like the
// process tree that owns it; the interner must outlive every handle it gave out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proctree/flat_index.h"

namespace vigil::proctree {

class StringInterner;

namespace detail {
// One allocation per text: this header, then the text's bytes right after it.
struct InternEntry {
  StringInterner* owner = nullptr;
  uint64_t hash = 0;  // 0: not in the index (a 64-bit hash collision; the text is not shared)
  uint32_t refs = 0;
  uint32_t size = 0;
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view text() const { return std::string_view(data(), size); }
};
}  // namespace detail

// A counted reference to an interned text. Empty handles read as "".
class Interned {
 public:
  Interned() = default;
  Interned(const Interned& other) : entry_(other.entry_) { Ref(); }
  Interned(Interned&& other) noexcept : entry_(other.entry_) { other.entry_ = nullptr; }
  Interned& operator=(const Interned& other);
  Interned& operator=(Interned&& other) noexcept;
  ~Interned() { Unref(); }

  std::string_view view() const { return entry_ ? entry_->text() : std::string_view(); }
  bool empty() const { return view().empty(); }
  // Equal handles from one interner point at one entry, so identity is a pointer compare.
  bool SameAs(const Interned& other) const { return entry_ == other.entry_; }

 private:
  friend class StringInterner;
  explicit Interned(detail::InternEntry* entry) : entry_(entry) { Ref(); }
  void Ref() {
    if (entry_) ++entry_->refs;
  }
  void Unref();

  detail::InternEntry* entry_ = nullptr;
};

struct InternerStats {
  uint64_t entries = 0;    // distinct texts held now
  uint64_t bytes = 0;      // bytes of text held now
  uint64_t truncated = 0;  // texts cut to max_length
  uint64_t lookups = 0;    // Intern() calls
};

class StringInterner {
 public:
  // Texts longer than max_length bytes are cut to it (and counted) before interning.
  explicit StringInterner(size_t max_length = 4096)
      : max_length_(max_length < 0xffffffffu ? max_length : 0xffffffffu) {}
  StringInterner(const StringInterner&) = delete;
  StringInterner& operator=(const StringInterner&) = delete;
  ~StringInterner() = default;  // every handle is gone by then (see above)

  Interned Intern(std::string_view text);
  const InternerStats& stats() const { return stats_; }
  size_t max_length() const { return max_length_; }

 private:
  friend class Interned;
  void Release(detail::InternEntry* entry);

  size_t max_length_;
  // Texts are found by their 64-bit hash; the text is compared to rule out a collision, and a
  // colliding text simply gets an entry of its own outside the index.
  FlatIndex<uint64_t, detail::InternEntry*> index_;
  InternerStats stats_;
};

}  // namespace vigil::proctree
