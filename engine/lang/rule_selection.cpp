// Rules disabled from the command line (Program::disabled), applied after declarations are
// collected: each selected rule becomes `enabled false`.
#include <algorithm>

#include "lang/passes.h"

namespace vigil::lang {

void DisableSelectedRules(Program& p) {
  p.disabled_unmatched.clear();
  p.disabled_rules.clear();
  if (p.disabled.empty()) return;
  std::set<std::string> names_hit, tags_hit;
  for (auto* rule : p.rule_order) {
    bool off = std::find(p.disabled.names.begin(), p.disabled.names.end(), rule->name) !=
               p.disabled.names.end();
    if (off) names_hit.insert(rule->name);
    for (const auto& t : rule->tags) {
      if (std::find(p.disabled.tags.begin(), p.disabled.tags.end(), t.text) ==
          p.disabled.tags.end())
        continue;
      tags_hit.insert(t.text);
      off = true;
    }
    if (!off) continue;
    rule->enabled = false;
    p.disabled_rules.push_back(rule->name);
  }
  for (const auto& n : p.disabled.names)
    if (!names_hit.count(n)) p.disabled_unmatched.push_back(n);
  for (const auto& t : p.disabled.tags)
    if (!tags_hit.count(t)) p.disabled_unmatched.push_back("tag:" + t);
}

}  // namespace vigil::lang
