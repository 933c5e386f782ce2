#include "compile/rule_tests.h"

#include <set>

#include "match/test_event.h"

namespace vigil::compile {

TestRun RunRuleTests(const lang::Program& program, const match::RuleSet& rules) {
  TestRun run;
  std::set<std::string> tested;
  match::EvalScratch scratch;
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
      if (auto made = match::RecordFromTestCase(tc, &failure.event); !made) {
        failure.loc = made.error().all().front().loc;
        failure.problem = made.error().all().front().message;
        run.failures.push_back(std::move(failure));
        continue;
      }
      bool fired = rules.EvaluateRule(*rule, failure.event, scratch);
      if (fired == tc.expect_alert) {
        ++run.passed;
        continue;
      }
      failure.has_event = true;
      failure.problem = tc.expect_alert ? "expected an alert, but the rule stayed quiet"
                                        : "expected no alert, but the rule fired";
      run.failures.push_back(std::move(failure));
    }
  }
  run.rules = tested.size();
  return run;
}

}  // namespace vigil::compile
