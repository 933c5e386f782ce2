// Correlation state: what rules with `count` or `step`s remember between events, and the
// decision whether such a rule fires (docs/language.md, "Correlation").
//
// Everything is decided in event time (evt.time), never by the wall clock, so `vigil test`,
// `vigil replay` and the agent fire identically on the same events. State is bounded per rule:
// at most `max_keys` groups (keys), each holding at most `count` events (a count) or
// `max_pending` partial sequences (steps). A key whose window has passed is forgotten
// (expired, not a loss); past the bounds the least recently used key, or a key's oldest
// partial sequence, is evicted and counted (a loss: a correlation may be missed).
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "match/event_record.h"
#include "match/rule_set.h"
#include "match/string_hash.h"

namespace vigil::match {

// One event that made a correlation fire.
struct Contribution {
  uint64_t time_ns = 0;  // evt.time
  int64_t pid = 0;       // proc.pid
  uint16_t step = 0;     // the step it matched (0 for a count)
  std::string name;      // proc.name
};

struct Firing {
  uint32_t rule = 0;
  std::vector<std::string> key;  // the values of the rule's `by` fields, in order
  std::vector<Contribution> events;
};

struct CorrelatorStats {
  uint64_t keys_evicted = 0;     // least recently used keys dropped at max_keys (lost state)
  uint64_t pending_evicted = 0;  // oldest partial sequences dropped at max_pending (lost state)
  uint64_t keys_expired = 0;     // keys forgotten because their window passed (normal)
  uint64_t fired = 0;
  uint64_t keys_live = 0;  // keys held now, all rules
};

class Correlator {
 public:
  explicit Correlator(const RuleSet& rules);

  // Rewrites `matches` (from RuleSet::Evaluate of `r`) to the ones that alert: matches of
  // plain rules stay; matches of correlation rules are taken in, and a rule that fires on
  // this event stays once, its `firing` indexing firings(). Firings live until the next call.
  void Judge(std::vector<RuleMatch>& matches, const EventRecord& r);
  const std::vector<Firing>& firings() const { return firings_; }

  const CorrelatorStats& stats() const { return stats_; }

  // Forgets everything rule `rule` holds, as if no event had come (each `vigil test` case
  // starts afresh; one correlator serves them all, as making one costs a slot per rule).
  void Forget(uint32_t rule);

 private:
  struct Partial {
    uint16_t next = 0;      // the step it waits for
    uint64_t start_ns = 0;  // time of its first event
    std::vector<Contribution> events;
    // Values later steps compare with: (step, field) -> text.
    std::vector<std::pair<std::pair<uint16_t, lang::FieldId>, std::string>> captured;
  };
  struct Held {
    Contribution c;
    std::string distinct;
    size_t distinct_hash = 0;  // of `distinct`: most comparisons end at the hash
  };
  struct KeyState {
    std::string key;
    uint64_t last_ns = 0;
    std::deque<Held> held;            // a count: events in the window, oldest first
    std::vector<Partial> partials;    // in order: partial sequences, oldest first
    std::vector<Contribution> slots;  // any order: the latest event of each step
    std::vector<bool> seen;           // any order: which slots hold one
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return HashBytes(s); }
  };
  using KeyMap =
      std::unordered_map<std::string, std::list<KeyState>::iterator, KeyHash, std::equal_to<>>;
  struct RuleState {
    std::list<KeyState> lru;  // most recently used first
    KeyMap keys;
    // The storage of forgotten keys (list and map nodes, strings and buffers), reused by new
    // keys, so that a steady stream of short-lived keys does not allocate. At most as many as
    // were ever live at once (max_keys).
    std::list<KeyState> spare;
    std::vector<KeyMap::node_type> spare_nodes;
    // Per step: the fields later steps read of it.
    std::vector<std::vector<lang::FieldId>> captures;
  };

  // Whether rule `m.rule` fires on `r` for the matches of its steps in `steps` (descending).
  bool Feed(uint32_t rule, const std::vector<uint16_t>& steps, const EventRecord& r);
  KeyState& Touch(RuleState& st, const CompiledCorrelation& c, uint64_t now, const EventRecord& r);
  void ForgetLeastRecent(RuleState& st);
  bool FeedCount(const CompiledCorrelation& c, KeyState& k, const Contribution& ev,
                 const EventRecord& r, Firing* out);
  bool FeedSequence(const CompiledCorrelation& c, const RuleState& st, KeyState& k,
                    const std::vector<uint16_t>& steps, const Contribution& ev,
                    const EventRecord& r, Firing* out);
  bool FeedAnyOrder(const CompiledCorrelation& c, KeyState& k, const std::vector<uint16_t>& steps,
                    const Contribution& ev, Firing* out);

  const RuleSet& rules_;
  std::vector<RuleState> state_;  // per rule (empty for plain rules)
  std::vector<Firing> firings_;
  CorrelatorStats stats_;
  std::vector<RuleMatch> kept_;
  std::vector<uint16_t> steps_;
  std::string text_;
};

// The text of a field for keys and joins (AppendFieldText without the absent marker: an
// absent field is the empty string).
void KeyText(const EventRecord& r, lang::FieldId field, std::string* out);

}  // namespace vigil::match
