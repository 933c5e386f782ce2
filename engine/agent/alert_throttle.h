// Alert fairness in the agent: one rule firing in a loop for one process must not flood the
// outputs (or slow the pipeline down until the kernel's ring buffer overflows and other rules
// lose their events). Alerts are counted per (rule, process) and per rule in fixed windows of
// event time; past a limit they are suppressed, and every suppressed alert is counted by rule and
// process for the agent's loss report (agent/loss_report.h). Nothing is suppressed silently.
//
// Bounded: at most `max_keys` (rule, process) windows and `max_suppressed_keys` suppression
// counts are kept. A (rule, process) that finds the window table full is let through (and
// counted as untracked) rather than suppressed; suppression counts past the bound go to one
// "other" bucket, so the totals stay exact.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigil::agent {

struct AlertThrottleOptions {
  uint32_t per_process = 10;  // alerts of one rule for one process per window; 0: no limit
  uint32_t per_rule = 1000;   // alerts of one rule per window, all processes; 0: no limit
  uint64_t window_ns = 1'000'000'000;
  size_t max_keys = 65536;
  size_t max_suppressed_keys = 1024;
};

// Suppressed alerts of one rule for one process since the last TakeSuppressed.
struct SuppressedAlerts {
  std::string rule;
  uint64_t entity = 0;  // 0 with pid 0: the "other" bucket (past max_suppressed_keys)
  uint32_t pid = 0;
  uint64_t alerts = 0;
};

struct AlertThrottleStats {
  uint64_t admitted = 0;
  uint64_t suppressed = 0;  // total, every rule and process
  uint64_t untracked = 0;   // let through because the window table was full
};

class AlertThrottle {
 public:
  explicit AlertThrottle(AlertThrottleOptions options = {}) : options_(options) {}

  // Whether an alert of `rule` for process `entity` (pid `pid`, for the report) at event time
  // `now_ns` goes out. A suppressed one is counted.
  bool Admit(std::string_view rule, uint64_t entity, uint32_t pid, uint64_t now_ns);

  // What was suppressed since the last call, most alerts first; resets those counts.
  std::vector<SuppressedAlerts> TakeSuppressed();

  const AlertThrottleStats& stats() const { return stats_; }
  const AlertThrottleOptions& options() const { return options_; }

 private:
  struct Window {
    uint64_t start_ns = 0;
    uint32_t count = 0;
  };
  struct Key {
    std::string rule;
    uint64_t entity;
    bool operator<(const Key& o) const {
      return entity != o.entity ? entity < o.entity : rule < o.rule;
    }
  };
  // Counts one alert in `w` at `now_ns`: true while the window has room.
  bool Take(Window& w, uint32_t limit, uint64_t now_ns) const;
  // Drops the windows that ended before `now_ns`; called when the table is full.
  void Sweep(uint64_t now_ns);
  void CountSuppressed(std::string_view rule, uint64_t entity, uint32_t pid);

  AlertThrottleOptions options_;
  AlertThrottleStats stats_;
  std::map<Key, Window> per_process_;
  std::unordered_map<std::string, Window> per_rule_;
  struct Suppressed {
    uint32_t pid = 0;
    uint64_t alerts = 0;
  };
  std::map<Key, Suppressed> suppressed_;
};

}  // namespace vigil::agent
