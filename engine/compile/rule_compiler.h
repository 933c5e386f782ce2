// Rules become matcher programs: fields resolved to ids, lists to hash sets, regexes to RE2
// objects compiled once, alternatives of startswith/endswith/== on one operand merged into
// tries and hash sets, macros already inlined by engine/lang, constant parts folded, and each
// rule specialised per event type (a test on a field the type never carries is folded to
// false). The result is a match::RuleSet indexed by event type.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lang/program.h"
#include "match/rule_set.h"
#include "util/result.h"

namespace vigil::compile {

// The name of that implicit policy (alerts say `"policy": "all-rules"`).
inline constexpr const char* kImplicitPolicyName = "all-rules";

struct RuleCompileOptions {
  // When the loaded files declare no policy, make up one (index 0, "all-rules", global scope)
  // that selects every enabled rule, so that a rules-only directory can be replayed.
  bool implicit_policy = true;
};

// Compiles every rule of an analysed program (Analyze() reported no errors). Rules that are
// disabled or selected by no policy are compiled too (for `vigil test`), but not indexed.
// A condition no matcher can be built for (a regex RE2 refuses, a type error the front end let
// through) is a located diagnostic; `vigil lint` runs this stage too, so it reports them.
Result<std::unique_ptr<match::RuleSet>, lang::Diagnostics> CompileRules(
    const lang::Program& program, const RuleCompileOptions& options);

// One condition compiled on its own, as a rule's `when` is (before per-type specialisation):
// used to judge a single exception tuple against test events.
Result<match::MatchNode, lang::Diagnostics> CompileCondition(const lang::Program& program,
                                                             const lang::ast::Expr& condition);

// A rule's condition (CompiledRule::condition) as the rule index evaluates it for events of
// `type`: tests on fields the type lacks and tests on evt.type decided, then folded.
match::MatchNode SpecializeCondition(const match::MatchNode& condition, lang::EventType type);

// What `vigil compile --explain` shows of a rule's named exceptions, one line each:
// "NAME (proc.name, file.path startswith): 3 tuples, 1 appended".
std::vector<std::string> DescribeExceptions(const lang::ast::RuleDecl& rule);

}  // namespace vigil::compile
