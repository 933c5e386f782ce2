// The kernel's argument prefilter, derived from the rules (docs/kernel.md, "Argument prefilter"):
// per event type, conditions that EVERY rule the agent evaluates on that type requires (open
// flags, path exact / prefix / suffix sets). The kernel drops an event that meets none of them:
// no rule could match it. When any rule on a type requires none of them (a `contains`, a
// negation, a condition on other fields only), nothing is filtered for that type.
//
// Only what the kernel reads at a syscall's entry can be judged there: for `open`, the path
// argument (file.path, and file.name through it) and the flags (open.flags, open.write,
// open.create). exec, fork and exit are never prefiltered (the process tree needs them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernel/kernel_plan.h"
#include "match/rule_set.h"

namespace vigil::compile {

// What the derivation decided for one selected event type (for `vigil compile --explain`).
struct PrefilterOutcome {
  uint16_t type = 0;
  bool active = false;
  std::string why_not;             // when not active
  std::vector<std::string> rules;  // "NAME: path" / "NAME: flags" / "NAME: never on this type"
};

// Adds to plan.prefilter the prefilter of each type of plan.event_types it can derive one for,
// from the rules of `rules` that are indexed (enabled and selected by a policy). Returns one
// outcome per selected type that has an argument the kernel could judge.
std::vector<PrefilterOutcome> AddPrefilters(const match::RuleSet& rules, kernel::KernelPlan& plan);

// The literal text every match of an RE2 pattern starts with ("^/proc/[0-9]+" -> "/proc/"):
// empty when the pattern is not anchored at the start or has a top-level alternation.
std::string RegexLiteralPrefix(const std::string& pattern);

}  // namespace vigil::compile
