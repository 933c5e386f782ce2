#include "runtime/field_use.h"

namespace vigil::runtime {
namespace {

void Add(FieldSet& set, lang::FieldId id) {
  set.set(static_cast<size_t>(id));
}

void AddNode(FieldSet& set, const match::MatchNode& n) {
  if (n.check)
    for (const match::Operand* op : n.check->Operands())
      if (op) Add(set, op->field);
  for (const auto& child : n.children) AddNode(set, child);
}

}  // namespace

FieldSet FieldsRead(const match::RuleSet& rules) {
  FieldSet set;
  for (const match::CompiledRule& rule : rules.rules()) {
    AddNode(set, rule.condition);
    for (const match::CompiledStep& step : rule.correlation.steps) {
      AddNode(set, step.condition);
      for (const match::CompiledJoin& join : step.joins) {
        Add(set, join.field);
        Add(set, join.step_field);
      }
    }
    for (lang::FieldId id : rule.correlation.by) Add(set, id);
    if (rule.correlation.distinct) Add(set, *rule.correlation.distinct);
    for (lang::FieldId id : rule.throttle.by) Add(set, id);
    for (lang::FieldId id : rule.output.Fields()) Add(set, id);
  }
  return set;
}

}  // namespace vigil::runtime
