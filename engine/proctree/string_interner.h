// Shares equal strings between processes (names, executables, argument lists, cgroup paths) so
// 100,000 processes running a few hundred programs keep each text once. Handles are reference
// counted: the text is freed when the last process holding it goes. Single-threaded, like the
// process tree that owns it; the interner must outlive every handle it gave out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

namespace vigil::proctree {

class StringInterner;

namespace detail {
struct InternEntry {
  std::string text;
  StringInterner* owner = nullptr;
  uint32_t refs = 0;
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

  std::string_view view() const {
    return entry_ ? std::string_view(entry_->text) : std::string_view();
  }
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
  explicit StringInterner(size_t max_length = 4096) : max_length_(max_length) {}
  StringInterner(const StringInterner&) = delete;
  StringInterner& operator=(const StringInterner&) = delete;
  ~StringInterner();

  Interned Intern(std::string_view text);
  const InternerStats& stats() const { return stats_; }
  size_t max_length() const { return max_length_; }

 private:
  friend class Interned;
  void Release(detail::InternEntry* entry);

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
    size_t operator()(const detail::InternEntry* e) const {
      return (*this)(std::string_view(e->text));
    }
  };
  struct Equal {
    using is_transparent = void;
    static std::string_view Of(std::string_view s) { return s; }
    static std::string_view Of(const detail::InternEntry* e) { return e->text; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return Of(a) == Of(b);
    }
  };

  size_t max_length_;
  std::unordered_set<detail::InternEntry*, Hash, Equal> entries_;
  InternerStats stats_;
};

}  // namespace vigil::proctree
