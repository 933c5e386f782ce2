// The language's throttle (`throttle N per DURATION [by FIELDS] [fold true]`, docs/language.md,
// "Throttling"): at most N alerts of a rule per window per key, in event time (evt.time), so
// `vigil test`, `vigil replay` and the agent agree. The alerts held back are counted; the next
// alert let through for that key says how many (`suppressed`) and the times of the first and
// the last of them. When the window closes with alerts held back and no alert of that key came
// to carry them, a summary (Expire) reports them instead, with the first held-back alert's
// event. The agent's own safety limit (--alert-limit, engine/agent/alert_throttle) is separate
// and applies before this one.
#pragma once

#include <cstdint>
#include <list>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "match/event_record.h"
#include "match/rule_set.h"

namespace vigil::match {

// Keys kept per throttled rule; past it the least recently used is dropped (its pending count
// with it, counted in keys_evicted and suppressed_lost).
inline constexpr size_t kThrottleKeys = 10'000;

struct ThrottleVerdict {
  bool admit = true;
  uint64_t suppressed = 0;  // alerts held back before this one (admitted alerts only)
  uint64_t first_ns = 0;    // evt.time of the first and last of them
  uint64_t last_ns = 0;
  bool summary = false;  // not an alert of its own: the report of a closed window (Expire)
};

struct ThrottleStats {
  uint64_t suppressed = 0;       // alerts held back in all
  uint64_t summaries = 0;        // windows reported by a summary (Expire)
  uint64_t keys_evicted = 0;     // keys dropped at kThrottleKeys
  uint64_t suppressed_lost = 0;  // held-back counts dropped with them, never reported
};

class RuleThrottle {
 public:
  // A window that closed with alerts held back: the first of them (its match and event) and how
  // many there were (verdict.suppressed, first_ns, last_ns; verdict.summary is set).
  struct Summary {
    RuleMatch match;
    EventRecord event;
    ThrottleVerdict verdict;
  };

  explicit RuleThrottle(const RuleSet& rules) : rules_(rules), state_(rules.rules().size()) {}

  // Whether the alert of match `m` for `r` (rendered `output`, for `fold`) goes out.
  ThrottleVerdict Admit(const RuleMatch& m, const EventRecord& r, std::string_view output);

  // The windows closed by event time `now_ns` (their end <= now_ns) that hold alerts back no
  // later alert reported, oldest end first, appended to `out`; their counts start again from 0.
  // Call it after the alerts of each event (so an alert that opens the key's next window
  // carries the count instead), and on a timer when events are scarce. `now_ns` = UINT64_MAX
  // reports every window still open (end of input).
  void Expire(uint64_t now_ns, std::vector<Summary>* out);

  // Held-back alerts not yet reported by a later alert (their key is still kept).
  uint64_t Pending() const;
  const ThrottleStats& stats() const { return stats_; }

  // Forgets the windows of rule `rule`, as if no alert had come (each `vigil test` case starts
  // afresh; one throttle serves them all, as making one costs a slot per rule). Its deadlines
  // still queued find no key when due.
  void Forget(uint32_t rule) { state_[rule] = RuleState{}; }

 private:
  struct KeyState {
    std::string key;
    uint64_t window_start = 0;
    int64_t admitted = 0;
    uint64_t suppressed = 0;
    uint64_t first_ns = 0, last_ns = 0;
    RuleMatch first_match;  // the first alert held back in this window
    EventRecord first_event;
  };
  // When a window that holds alerts back ends; checked against the key's state when due (the
  // key may have moved on to a later window, been reported, or been evicted).
  struct Deadline {
    uint64_t end_ns = 0;
    uint32_t rule = 0;
    uint64_t window_start = 0;
    std::string key;
    bool operator>(const Deadline& o) const { return end_ns > o.end_ns; }
  };
  struct RuleState {
    std::list<KeyState> lru;
    std::unordered_map<std::string, std::list<KeyState>::iterator> keys;
  };
  const RuleSet& rules_;
  std::vector<RuleState> state_;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<Deadline>> deadlines_;
  ThrottleStats stats_;
  std::string text_;
};

}  // namespace vigil::match
