#include "compile/rule_tests.h"

#include <set>

#include "match/correlator.h"
#include "match/rule_throttle.h"
#include "match/test_event.h"

namespace vigil::compile {
namespace {

// The time of a test case's start (evt.time of its first event unless the case sets
// evt.time): 2026-01-01T00:00:00Z. Times in a case are relative to it.
constexpr uint64_t kTestEpochNs = 1767225600ULL * 1000000000ULL;

std::string At(const lang::ast::TestCase& one) {
  const int64_t ms = one.at_ns / 1000000;
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

}  // namespace

TestRun RunRuleTests(const lang::Program& program, const match::RuleSet& rules) {
  TestRun run;
  std::set<std::string> tested;
  match::EvalScratch scratch;
  std::vector<match::RuleMatch> matches;
  std::string rendered;
  // One correlator and one throttle for every case (each is made with a slot per rule: one per
  // case made `vigil test` quadratic in the rule count); a case forgets its rule's state first.
  match::Correlator correlator(rules);
  match::RuleThrottle throttle(rules);
  for (const lang::ast::TestDecl* test : program.tests) {
    auto rule = rules.FindRule(test->rule);
    for (const auto& tc : test->cases) {
      ++run.cases;
      TestFailure failure;
      failure.rule = test->rule;
      failure.loc = tc.loc;
      if (!rule) {
        failure.problem = "no rule named '" + test->rule + "' is loaded";
        run.failures.push_back(std::move(failure));
        continue;
      }
      tested.insert(test->rule);
      // Each case starts with no correlation or throttle state, as a fresh agent would.
      correlator.Forget(*rule);
      throttle.Forget(*rule);
      const bool several = !tc.events.empty();
      const size_t count = several ? tc.events.size() : 1;
      std::optional<size_t> fired_at;  // the first event the rule alerted on
      bool fired_last = false;
      bool made = true;
      match::EventRecord last;
      for (size_t i = 0; i < count; ++i) {
        const lang::ast::TestCase& one = several ? tc.events[i] : tc;
        match::EventRecord record;
        if (auto ok = match::RecordFromTestCase(one, &record); !ok) {
          failure.loc = ok.error().all().front().loc;
          failure.problem = ok.error().all().front().message;
          made = false;
          break;
        }
        if (several || !record.Has(lang::FieldId::kEvtTime))
          if (!record.Has(lang::FieldId::kEvtTime) || one.timed)
            record.SetUint(lang::FieldId::kEvtTime,
                           kTestEpochNs + static_cast<uint64_t>(one.at_ns));
        matches.clear();
        rules.EvaluateRule(*rule, record, scratch, matches);
        correlator.Judge(matches, record);
        bool fired = !matches.empty();
        if (fired && rules.rules()[*rule].throttle.active()) {
          rendered.clear();
          rules.rules()[*rule].output.Render(record, &rendered);
          fired = throttle.Admit(match::RuleMatch{.rule = *rule}, record, rendered).admit;
        }
        if (fired && !fired_at) {
          fired_at = i;
          failure.event = record;
        }
        fired_last = fired && i + 1 == count;
        last = std::move(record);
      }
      if (!made) {
        run.failures.push_back(std::move(failure));
        continue;
      }
      // The verdict is on the last event; the ones before it are its history.
      bool pass = tc.expect_alert == fired_last;
      if (pass) {
        ++run.passed;
        continue;
      }
      failure.has_event = true;
      if (!several) {
        failure.event = std::move(last);
        failure.problem = tc.expect_alert ? "expected an alert, but the rule stayed quiet"
                                          : "expected no alert, but the rule fired";
      } else {
        failure.event = std::move(last);
        failure.loc = tc.events.back().loc;
        std::string earlier = fired_at && *fired_at + 1 < count
                                  ? " (it first fired at event " + std::to_string(*fired_at + 1) +
                                        ", " + At(tc.events[*fired_at]) + ")"
                                  : std::string(" (it fired at no event of the case)");
        failure.problem = tc.expect_alert
                              ? "expected an alert at the last of " + std::to_string(count) +
                                    " events (" + At(tc.events.back()) +
                                    "), but the rule stayed quiet" + earlier
                              : "expected no alert at the last of " + std::to_string(count) +
                                    " events (" + At(tc.events.back()) + "), but the rule fired";
      }
      run.failures.push_back(std::move(failure));
    }
  }
  run.rules = tested.size();
  return run;
}

}  // namespace vigil::compile
