// The language's throttle (`throttle N per DURATION [by FIELDS] [fold true]`, docs/language.md,
// "Throttling"): at most N alerts of a rule per window per key, in event time (evt.time), so
// `vigil test`, `vigil replay` and the agent agree. The alerts held back are counted; the next
// alert let through for that key says how many (`suppressed`) and the times of the first and
// the last of them. The agent's own safety limit (--alert-limit, engine/agent/alert_throttle)
// is separate and applies after this one.
#pragma once

#include <cstdint>
#include <list>
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
};

struct ThrottleStats {
  uint64_t suppressed = 0;       // alerts held back in all
  uint64_t keys_evicted = 0;     // keys dropped at kThrottleKeys
  uint64_t suppressed_lost = 0;  // held-back counts dropped with them, never reported
};

class RuleThrottle {
 public:
  explicit RuleThrottle(const RuleSet& rules) : rules_(rules), state_(rules.rules().size()) {}

  // Whether the alert of `rule` for `r` (rendered `output`, for `fold`) goes out.
  ThrottleVerdict Admit(uint32_t rule, const EventRecord& r, std::string_view output);

  // Held-back alerts not yet reported by a later alert (their key is still kept).
  uint64_t Pending() const;
  const ThrottleStats& stats() const { return stats_; }

 private:
  struct KeyState {
    std::string key;
    uint64_t window_start = 0;
    int64_t admitted = 0;
    uint64_t suppressed = 0;
    uint64_t first_ns = 0, last_ns = 0;
  };
  struct RuleState {
    std::list<KeyState> lru;
    std::unordered_map<std::string, std::list<KeyState>::iterator> keys;
  };
  const RuleSet& rules_;
  std::vector<RuleState> state_;
  ThrottleStats stats_;
  std::string text_;
};

}  // namespace vigil::match
