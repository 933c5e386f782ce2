// Which of an event type's matchers an event can satisfy, decided from a few of its string
// fields before any matcher runs (docs/matching.md, "The candidate index").
//
// Most rules require one of a few values of one string field: `proc.name in [...]`,
// `file.path startswith "/etc/"`, `file.path endswith ".so"`. Such a requirement is derived
// from the compiled tree (a check on a plain field; an `and` keeps its most selective
// operand's, an `or` unites its operands' when each has one). The index maps, per field, each
// required value (exact) and each required prefix or suffix (a trie) to the matchers that
// require it; an event marks the matchers its values reach, plus every matcher with no
// requirement, and only those are evaluated. The requirement is a necessary condition of the
// matcher, so skipping the others never changes a verdict.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lang/fields.h"
#include "match/event_record.h"
#include "match/matcher.h"
#include "match/string_hash.h"
#include "match/string_trie.h"

namespace vigil::match {

// What every event a matcher holds on has: one of these field values.
struct Requirement {
  enum class Kind : uint8_t { kEquals, kPrefix, kSuffix };
  struct Alternative {
    lang::FieldId field{};
    Kind kind = Kind::kEquals;
    std::string value;
  };
  std::vector<Alternative> alternatives;  // none: the matcher never holds

  // "file.path startswith 1 of 2, proc.name == 1 of 7" (grouped by field and kind).
  std::string Describe() const;
};

// The requirement of a compiled matcher, or nullopt when it has none the index can use (the
// matcher is then evaluated on every event of its type).
std::optional<Requirement> RequiredValues(const Matcher& m);

// Prefixes (or suffixes) -> posting ids, answered in one walk over a text.
class PostingTrie {
 public:
  static constexpr uint32_t kNone = ~uint32_t{0};
  explicit PostingTrie(bool reversed) : trie_(reversed, kNone) {}

  // The posting slot of `key`'s node (created as kNone).
  uint32_t& At(std::string_view key) { return trie_.At(key); }

  // Calls f(posting) for every key that is a prefix (suffix, when reversed) of `text`.
  template <typename F>
  void ForEachMatch(std::string_view text, F&& f) const {
    trie_.Walk(text, [&](uint32_t posting) {
      if (posting != kNone) f(posting);
      return false;
    });
  }

 private:
  ByteTrie<uint32_t> trie_;
};

class CandidateIndex {
 public:
  CandidateIndex() = default;
  // Entry i is matchers[i]; its bit is i.
  explicit CandidateIndex(const std::vector<const Matcher*>& matchers);

  // Words of the candidate bitmap (64 entries each).
  size_t words() const { return always_.size(); }
  // Sets bits[0, words()) to the entries `r` can satisfy.
  void Mark(const EventRecord& r, uint64_t* bits) const;

  // Entry i's requirement, or nullopt (always evaluated).
  const std::optional<Requirement>& requirement(size_t i) const { return requirements_[i]; }

 private:
  struct Range {
    uint32_t begin = 0, end = 0;  // into ids_
  };
  struct ExactProbe {
    lang::FieldId field;
    FlatStringMap values;  // value -> posting
  };
  struct AffixProbe {
    lang::FieldId field;
    bool suffix;
    PostingTrie trie;  // prefix or suffix -> posting
  };
  void MarkPosting(uint32_t posting, uint64_t* bits) const {
    const Range& r = postings_[posting];
    for (uint32_t k = r.begin; k < r.end; ++k) bits[ids_[k] >> 6] |= uint64_t{1} << (ids_[k] & 63);
  }

  std::vector<std::optional<Requirement>> requirements_;
  std::vector<uint64_t> always_;  // entries with no requirement
  std::vector<ExactProbe> exact_;
  std::vector<AffixProbe> affix_;
  std::vector<Range> postings_;
  std::vector<uint32_t> ids_;
};

}  // namespace vigil::match
