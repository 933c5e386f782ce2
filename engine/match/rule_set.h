// Compiled rules and the per-event-type index the agent, `vigil replay` and `vigil test`
// evaluate events against. An event meets only the rules that can fire on its type and that
// belong to a policy in its matched-policy bitmap. Every rule that matches is reported, in
// declaration order: there is no first-match-wins.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lang/ast.h"
#include "lang/events.h"
#include "match/candidate_index.h"
#include "match/matcher.h"
#include "match/output_template.h"

namespace vigil::match {

struct PolicyInfo {
  std::string name;
  unsigned index = 0;  // bit in the matched-policy bitmap
  lang::ast::Action action = lang::ast::Action::kAlert;
  bool implicit = false;  // made up because the loaded files declare no policy
};

inline constexpr size_t kEventTypes = static_cast<size_t>(lang::EventType::kCount);

// A step's reference to an earlier step: this event's `field` equals `step_field` of the
// event that made step `step` (docs/language.md, "Sequences").
struct CompiledJoin {
  lang::FieldId field;
  uint16_t step = 0;
  lang::FieldId step_field;
};

struct CompiledStep {
  std::string name;
  lang::EventMask events = 0;
  std::vector<CompiledJoin> joins;
  MatchNode condition;  // the rule's condition and the step's (for --explain)
  std::array<std::shared_ptr<const Matcher>, kEventTypes> by_type;
};

// What a rule says about time (lang::ast::Correlation, compiled). A count's single step is
// the rule's own condition (CompiledRule::by_type); a sequence's steps each have theirs.
struct CompiledCorrelation {
  using Kind = lang::ast::Correlation::Kind;
  Kind kind = Kind::kNone;
  int64_t count = 0;
  std::optional<lang::FieldId> distinct;
  int64_t within_ns = 0;
  std::vector<lang::FieldId> by;
  std::vector<CompiledStep> steps;
  size_t max_keys = 0;
  size_t max_pending = 0;  // per key: partial sequences (a count holds `count` events)
  bool active() const { return kind != Kind::kNone; }
};

// `throttle N per DURATION [by ...] [fold true]`.
struct CompiledThrottle {
  int64_t limit = 0;  // 0: none
  int64_t per_ns = 0;
  bool fold = false;
  std::vector<lang::FieldId> by;
  bool active() const { return limit > 0; }
};

struct CompiledRule {
  std::string name;
  std::string desc;
  lang::ast::Severity severity = lang::ast::Severity::kMedium;
  std::vector<std::string> mitre, tags;
  OutputTemplate output;
  lang::EventMask events = 0;  // the rule's `on`
  uint64_t policies = 0;       // policies that select it
  bool enabled = true;
  std::string where;    // file:line:col of the declaration
  MatchNode condition;  // after folding, before per-type specialisation (for --explain)
  // Its named exceptions, one line each (for --explain); their tests are in `condition`.
  std::vector<std::string> exceptions;
  // The condition specialised to each event type; null where the rule can never fire.
  std::array<std::shared_ptr<const Matcher>, kEventTypes> by_type;
  CompiledCorrelation correlation;
  CompiledThrottle throttle;
};

struct RuleMatch {
  uint32_t rule = 0;
  uint64_t policies = 0;  // policies of the event that select the rule
  uint16_t step = 0;      // the step of a rule with steps that matched
  int32_t firing = -1;    // a correlation that fired: its index in Correlator::firings()
};

class RuleSet {
 public:
  // Building (the compiler's side).
  uint32_t AddRule(CompiledRule rule);
  void AddPolicy(PolicyInfo policy) { policies_.push_back(std::move(policy)); }
  void BuildIndex();  // after every AddRule

  const std::vector<CompiledRule>& rules() const { return rules_; }
  const std::vector<PolicyInfo>& policies() const { return policies_; }
  const PolicyInfo* PolicyAt(unsigned index) const;
  std::optional<uint32_t> FindRule(std::string_view name) const;
  // Rules indexed for an event type (what an event of that type meets at most).
  size_t IndexedRules(lang::EventType type) const {
    return index_[static_cast<size_t>(type)].entries.size();
  }
  // Of those, the ones the candidate index evaluates only when an event has a value they
  // require (the others are evaluated on every event of the type).
  size_t KeyedRules(lang::EventType type) const;
  // What the candidate index requires of an event before it evaluates `rule` (its step
  // `step`) on `type`: the requirement's text, or nullopt when it is evaluated on every event
  // of the type (or not indexed for it).
  std::optional<std::string> IndexRequirement(uint32_t rule, uint16_t step,
                                              lang::EventType type) const;

  // Appends a RuleMatch for every rule that matches `r` (type and policy bitmap from `r`), in
  // index order. Only the candidates the index marks for `r` are evaluated (docs/matching.md).
  // Allocation-free once `out` and `s` have grown to their working size.
  void Evaluate(const EventRecord& r, EvalScratch& s, std::vector<RuleMatch>& out) const;

  // One rule against `r` regardless of policies (test blocks): appends a RuleMatch for each
  // of its steps (or the rule itself) that matches, as Evaluate would.
  void EvaluateRule(uint32_t rule, const EventRecord& r, EvalScratch& s,
                    std::vector<RuleMatch>& out) const;
  bool EvaluateRule(uint32_t rule, const EventRecord& r, EvalScratch& s) const;
  // Whether any rule correlates or throttles (the agent and replay skip that stage otherwise).
  bool HasCorrelations() const { return correlations_; }
  bool HasThrottles() const { return throttles_; }

 private:
  struct Entry {
    uint32_t rule;
    uint64_t policies;
    const Matcher* matcher;
    uint16_t step;
  };
  struct TypeIndex {
    std::vector<Entry> entries;  // declaration order; a rule's steps adjacent
    CandidateIndex candidates;   // over `entries`
  };
  bool correlations_ = false;
  bool throttles_ = false;
  std::vector<CompiledRule> rules_;
  std::unordered_map<std::string, uint32_t> by_name_;  // FindRule in constant time
  std::vector<PolicyInfo> policies_;
  std::array<TypeIndex, kEventTypes> index_;
};

}  // namespace vigil::match
