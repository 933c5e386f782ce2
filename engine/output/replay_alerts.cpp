#include "output/replay_alerts.h"

namespace vigil::output {

ReplayAlerts::ReplayAlerts(const match::RuleSet& rules, Options options)
    : rules_(rules),
      options_(options),
      throttled_(options.throttle && rules.HasThrottles()),
      ids_(AlertIdGenerator::Fixed(0)),
      correlator_(rules),
      throttle_(rules) {}

const std::vector<match::RuleMatch>& ReplayAlerts::Match(const match::EventRecord& r) {
  matches_.clear();
  rules_.Evaluate(r, scratch_, matches_);
  correlator_.Judge(matches_, r);
  return matches_;
}

void ReplayAlerts::Write(Alert& a, std::string* out) {
  a.envelope.id = ids_.Next();
  switch (options_.format) {
    case AlertFormat::kJson:
      AppendAlertJsonLine(a, out);
      break;
    case AlertFormat::kText:
      *out += AlertTextLine(a);
      break;
    case AlertFormat::kFalco:
      *out += AlertFalcoJsonLine(a);
      break;
  }
  ++alerts_;
}

void ReplayAlerts::Judge(const match::EventRecord& r, std::string* out) {
  matches_.clear();
  rules_.Evaluate(r, scratch_, matches_);
  JudgeEvaluated(r, matches_, out);
}

void ReplayAlerts::JudgeEvaluated(const match::EventRecord& r,
                                  std::vector<match::RuleMatch>& evaluated, std::string* out) {
  correlator_.Judge(evaluated, r);
  for (const auto& m : evaluated) {
    Alert a = MakeAlert(rules_, m, r, m.firing >= 0 ? &correlator_.firings()[m.firing] : nullptr);
    if (throttled_ && a.action() != lang::ast::Action::kKill) {
      a.throttle = throttle_.Admit(m, r, a.output);
      if (!a.throttle.admit) continue;
    }
    Write(a, out);
  }
  // Throttle windows this event's time closed with alerts held back: their summaries.
  if (throttled_ && r.Has(lang::FieldId::kEvtTime)) Summarise(r.Uint(lang::FieldId::kEvtTime), out);
}

void ReplayAlerts::Finish(std::string* out) {
  if (throttled_) Summarise(UINT64_MAX, out);
}

void ReplayAlerts::Summarise(uint64_t now_ns, std::string* out) {
  summaries_.clear();
  throttle_.Expire(now_ns, &summaries_);
  for (const auto& s : summaries_) {
    Alert a = MakeAlert(rules_, s.match, s.event);
    a.throttle = s.verdict;
    Write(a, out);
  }
}

}  // namespace vigil::output
