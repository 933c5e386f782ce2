// The alerts of events judged one at a time in input order, as `vigil replay` does: evaluate
// the rules, judge correlations, apply the rules' throttles (optional) and format each alert
// into the caller's buffer. Correlations and throttles run in event time, so the same events
// give the same alerts and the same bytes. `vigil replay` and bench/replay run this one loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "match/correlator.h"
#include "match/event_record.h"
#include "match/rule_set.h"
#include "match/rule_throttle.h"
#include "output/alert.h"
#include "output/alert_id.h"

namespace vigil::output {

enum class AlertFormat { kJson, kText, kFalco };

class ReplayAlerts {
 public:
  struct Options {
    AlertFormat format = AlertFormat::kJson;
    // The rules' throttles (docs/language.md, "Throttling"); off, every match is an alert.
    bool throttle = true;
  };

  // `rules` must outlive this. Alert ids come from a constant seed (docs/alerts.md).
  ReplayAlerts(const match::RuleSet& rules, Options options);

  // Evaluates and correlates `r` (the next event in input order): its matches, valid until the
  // next call. Judge() calls it; on its own it is the matching without the alerts.
  const std::vector<match::RuleMatch>& Match(const match::EventRecord& r);
  // Match(r), then its alerts appended to `out` (a throttle window this event's time closed
  // with alerts held back writes its summary after them).
  void Judge(const match::EventRecord& r, std::string* out);
  // Judge(r, out) for an event already evaluated by the same rules (`evaluated`: RuleSet::
  // Evaluate's matches, e.g. on the thread that parsed it, RecordBatchReader): correlates them
  // (which may change them) and writes the alerts. Same alerts, same bytes.
  void JudgeEvaluated(const match::EventRecord& r, std::vector<match::RuleMatch>& evaluated,
                      std::string* out);
  // The end of the input: the summaries of every throttle window still open.
  void Finish(std::string* out);

  uint64_t alerts() const { return alerts_; }  // written so far
  const match::CorrelatorStats& correlation_stats() const { return correlator_.stats(); }
  const match::ThrottleStats& throttle_stats() const { return throttle_.stats(); }

 private:
  void Write(Alert& a, std::string* out);
  void Summarise(uint64_t now_ns, std::string* out);

  const match::RuleSet& rules_;
  const Options options_;
  const bool throttled_;  // options_.throttle and the rules have throttles
  AlertIdGenerator ids_;
  match::EvalScratch scratch_;
  match::Correlator correlator_;
  match::RuleThrottle throttle_;
  std::vector<match::RuleMatch> matches_;
  std::vector<match::RuleThrottle::Summary> summaries_;
  uint64_t alerts_ = 0;
};

}  // namespace vigil::output
