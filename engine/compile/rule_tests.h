// Runs the `test` blocks of a program through the compiled rules: each case becomes an event
// record (match/test_event.h) and meets its rule's matcher for that event type, exactly as
// the agent's events do (the policy bitmap aside: a test targets its rule directly).
#pragma once

#include <string>
#include <vector>

#include "lang/program.h"
#include "match/event_record.h"
#include "match/rule_set.h"

namespace vigil::compile {

struct TestFailure {
  std::string rule;
  lang::SourceLoc loc;  // the case (`alert` / `quiet` keyword), or the offending value
  std::string problem;  // "expected an alert, but the rule stayed quiet"
  match::EventRecord event;
  bool has_event = false;
};

struct TestRun {
  size_t cases = 0;
  size_t passed = 0;
  size_t rules = 0;  // rules with at least one case
  std::vector<TestFailure> failures;
};

TestRun RunRuleTests(const lang::Program& program, const match::RuleSet& rules);

}  // namespace vigil::compile
