// The agent's loss report: an alert of its own (rule `vigil:loss`, `"source":"agent"`) in the
// alert stream whenever events or alerts were lost, dropped, throttled or suppressed, saying how
// many of each and naming the processes and rules behind them. It goes to the same outputs as
// rule alerts, so the consumer that would have received the lost alerts learns of the loss
// (docs/alerts.md, "Loss reports"). One report covers everything since the previous one; reports
// are at least `min_interval` apart, and the first loss after a quiet spell is reported at the
// next check.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lang/ast.h"
#include "output/alert.h"

namespace vigil::agent {

// Cumulative counters of everything that loses or holds back events and alerts.
struct LossCounters {
  uint64_t ring_full = 0;          // kernel: a ring buffer was full (drop_main + drop_net)
  uint64_t inflight_full = 0;      // kernel: a syscall's entry record could not be stored
  uint64_t throttled = 0;          // kernel: events over a process's budget, not sent
  uint64_t undecodable = 0;        // user space: records that did not decode
  uint64_t alerts_suppressed = 0;  // agent: alerts held back by the alert throttle
  uint64_t alerts_dropped = 0;     // outputs: queue full
  uint64_t alerts_failed = 0;      // outputs: failed writes
  // agent: correlation state evicted at a rule's bound (max_keys, max_pending): a
  // correlation may have been missed.
  uint64_t correlation_evicted = 0;

  LossCounters Since(const LossCounters& before) const;
  bool Any() const;
};

struct ThrottledReportEntry {
  uint32_t pid = 0;
  uint64_t entity = 0;
  std::string name;  // empty: not in the process tree
  std::string exe;
  uint64_t events = 0;
};

struct SuppressedReportEntry {
  std::string rule;  // empty: the throttle's "other" bucket
  uint32_t pid = 0;
  std::string name;
  uint64_t alerts = 0;
};

// One report, ready for the outputs.
struct LossAlert {
  lang::ast::Severity severity = lang::ast::Severity::kMedium;
  std::string json;   // one line, no newline
  std::string text;   // one line, no newline
  std::string falco;  // the falcosidekick payload (output::AlertFalcoJsonLine's form), one line
};

class LossReport {
 public:
  static constexpr const char* kRuleName = "vigil:loss";
  // Entries listed per report at most (the counts cover all of them).
  static constexpr size_t kMaxListed = 100;

  LossReport(std::chrono::steady_clock::duration min_interval, const LossCounters& start,
             std::chrono::steady_clock::time_point now);

  // Folds in the processes and rules behind the throttling and suppression since the last call.
  void AddThrottled(std::vector<ThrottledReportEntry> entries);
  void AddSuppressed(std::vector<SuppressedReportEntry> entries);

  // The report to emit now, if something was lost since the last one and it is at least
  // min_interval old (`final`: whatever its age, at shutdown). `wall_ns` and `boottime_ns` stamp
  // it; `envelope` gives its id and host (docs/alerts.md).
  std::optional<LossAlert> Due(const LossCounters& now, std::chrono::steady_clock::time_point at,
                               uint64_t wall_ns, uint64_t boottime_ns, bool final = false,
                               const output::AlertEnvelope& envelope = {});

  uint64_t reports() const { return reports_; }

  // The last report went out as `lines` output lines (one per output). If those are all that
  // failed since, that alone is no reason for another report: a closed output would otherwise
  // get a report every interval about the previous report. The failures stay counted and go
  // into the next report that is due for another reason.
  void Sent(uint64_t lines) { own_lines_ += lines; }

 private:
  std::chrono::steady_clock::duration min_interval_;
  LossCounters reported_;  // the counters as of the last report
  std::chrono::steady_clock::time_point last_;
  bool any_report_ = false;
  // Since the last report, by entity (pid when unknown) and by (rule, pid); at most
  // kMaxCollected each (the counters stay exact).
  static constexpr size_t kMaxCollected = 4096;
  std::map<uint64_t, ThrottledReportEntry> throttled_;
  std::map<std::pair<std::string, uint32_t>, SuppressedReportEntry> suppressed_;
  uint64_t reports_ = 0;
  uint64_t own_lines_ = 0;  // output lines of reports since the last report
};

}  // namespace vigil::agent
