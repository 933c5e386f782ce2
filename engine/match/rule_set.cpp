#include "match/rule_set.h"

#include <bit>

namespace vigil::match {

uint32_t RuleSet::AddRule(CompiledRule rule) {
  const auto id = static_cast<uint32_t>(rules_.size());
  by_name_.emplace(rule.name, id);  // the first of a name wins, as the linear search did
  rules_.push_back(std::move(rule));
  return id;
}

void RuleSet::BuildIndex() {
  for (auto& ti : index_) ti.entries.clear();
  for (uint32_t i = 0; i < rules_.size(); ++i) {
    const CompiledRule& rule = rules_[i];
    correlations_ |= rule.correlation.active();
    throttles_ |= rule.throttle.active();
    if (!rule.enabled || rule.policies == 0) continue;
    for (size_t t = 0; t < kEventTypes; ++t) {
      auto& entries = index_[t].entries;
      if (rule.by_type[t]) entries.push_back({i, rule.policies, rule.by_type[t].get(), 0});
      const auto& steps = rule.correlation.steps;
      for (size_t k = 0; k < steps.size(); ++k)
        if (steps[k].by_type[t])
          entries.push_back(
              {i, rule.policies, steps[k].by_type[t].get(), static_cast<uint16_t>(k)});
    }
  }
  for (auto& ti : index_) {
    std::vector<const Matcher*> matchers;
    for (const auto& e : ti.entries) matchers.push_back(e.matcher);
    ti.candidates = CandidateIndex(matchers);
  }
}

void RuleSet::Evaluate(const EventRecord& r, EvalScratch& s, std::vector<RuleMatch>& out) const {
  const TypeIndex& ti = index_[static_cast<size_t>(r.type())];
  const size_t words = ti.candidates.words();
  if (words == 0) return;
  if (s.candidates.size() < words) s.candidates.resize(words);
  uint64_t* bits = s.candidates.data();
  ti.candidates.Mark(r, bits);
  const uint64_t matched = r.policies();
  for (size_t w = 0; w < words; ++w)
    for (uint64_t b = bits[w]; b != 0; b &= b - 1) {
      const Entry& e = ti.entries[w * 64 + static_cast<size_t>(std::countr_zero(b))];
      const uint64_t p = e.policies & matched;
      if (p != 0 && e.matcher->Eval(r, s)) out.push_back({e.rule, p, e.step, -1});
    }
}

size_t RuleSet::KeyedRules(lang::EventType type) const {
  const TypeIndex& ti = index_[static_cast<size_t>(type)];
  size_t n = 0;
  for (size_t i = 0; i < ti.entries.size(); ++i) n += ti.candidates.requirement(i) ? 1 : 0;
  return n;
}

std::optional<std::string> RuleSet::IndexRequirement(uint32_t rule, uint16_t step,
                                                     lang::EventType type) const {
  const TypeIndex& ti = index_[static_cast<size_t>(type)];
  for (size_t i = 0; i < ti.entries.size(); ++i)
    if (ti.entries[i].rule == rule && ti.entries[i].step == step) {
      const auto& req = ti.candidates.requirement(i);
      if (req) return req->Describe();
      return std::nullopt;
    }
  return std::nullopt;
}

const PolicyInfo* RuleSet::PolicyAt(unsigned index) const {
  for (const auto& p : policies_)
    if (p.index == index) return &p;
  return nullptr;
}

std::optional<uint32_t> RuleSet::FindRule(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

bool RuleSet::EvaluateRule(uint32_t rule, const EventRecord& r, EvalScratch& s) const {
  const auto& m = rules_.at(rule).by_type[static_cast<size_t>(r.type())];
  return m && m->Eval(r, s);
}

void RuleSet::EvaluateRule(uint32_t rule, const EventRecord& r, EvalScratch& s,
                           std::vector<RuleMatch>& out) const {
  const CompiledRule& c = rules_.at(rule);
  const size_t t = static_cast<size_t>(r.type());
  if (c.by_type[t] && c.by_type[t]->Eval(r, s)) out.push_back({rule, ~uint64_t{0}, 0, -1});
  for (size_t k = 0; k < c.correlation.steps.size(); ++k) {
    const auto& m = c.correlation.steps[k].by_type[t];
    if (m && m->Eval(r, s)) out.push_back({rule, ~uint64_t{0}, static_cast<uint16_t>(k), -1});
  }
}

}  // namespace vigil::match
