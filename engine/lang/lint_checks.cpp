// Pass 6: hygiene checks that do not affect meaning: unused names, rules without tests or
// descriptions, malformed MITRE ids.
#include <re2/re2.h>

#include <set>

#include "lang/passes.h"

namespace vigil::lang {

void RunLintChecks(Program& p, Diagnostics& diags) {
  for (const auto& [name, list] : p.lists)
    if (!p.list_uses.count(name))
      diags.Add(Code::kUnusedList, list->loc, "list '" + name + "' is never used");
  for (const auto& [name, macro] : p.macros)
    if (!p.macro_uses.count(name))
      diags.Add(Code::kUnusedMacro, macro->loc, "macro '" + name + "' is never used");

  std::set<std::string> tested;
  for (const auto* t : p.tests)
    if (!t->cases.empty()) tested.insert(t->rule);

  static const RE2 kTechnique(R"(T\d{4}(\.\d{3})?)");
  static const RE2 kTactic(R"(TA\d{4})");
  for (const auto* rule : p.rule_order) {
    if (!tested.count(rule->name))
      diags.Add(Code::kRuleWithoutTest, rule->loc,
                "rule '" + rule->name + "' has no test")
          .notes.push_back("add 'test " + rule->name +
                           " { alert EVENT { ... } quiet EVENT { ... } }' so that `vigil test` checks it");
    if (rule->desc.empty())
      diags.Add(Code::kRuleWithoutDesc, rule->loc,
                "rule '" + rule->name + "' has no desc: responders read it in every alert");
    if (!rule->severity_given)
      diags.Add(Code::kRuleWithoutDesc, rule->loc,
                "rule '" + rule->name + "' has no severity; it defaults to medium");
    for (const auto& id : rule->mitre) {
      if ((id.kind == ast::Value::Kind::kWord || id.kind == ast::Value::Kind::kString) &&
          (RE2::FullMatch(id.text, kTechnique) || RE2::FullMatch(id.text, kTactic)))
        continue;
      std::string shown = id.kind == ast::Value::Kind::kInt ? std::to_string(id.number) : id.text;
      diags.Add(Code::kBadMitre, id.loc,
                "'" + shown + "' is not a MITRE ATT&CK id: techniques are T1234 or T1234.567, "
                "tactics TA1234");
    }
  }
}

}  // namespace vigil::lang
