// Passes 1 and 2: declarations across all files, then every reference by name.
#include <algorithm>
#include <set>

#include "lang/passes.h"
#include "lang/suggest.h"

namespace vigil::lang {
namespace {

// Registers `decl` under its name, applying `override` rules. Returns the winner to store.
template <typename Decl, typename Ptr>
void Declare(std::map<std::string, Ptr>& table, Decl* decl, const char* kind,
             const SourceSet& sources, Diagnostics& diags) {
  auto it = table.find(decl->name);
  if (it == table.end()) {
    if (decl->is_override) {
      diags.Add(Code::kOverrideOfNothing, decl->loc,
                std::string("'override ") + kind + " " + decl->name + "' replaces nothing: no " +
                    kind + " of that name is loaded before it");
    }
    table.emplace(decl->name, decl);
    return;
  }
  if (!decl->is_override) {
    diags
        .Add(Code::kDuplicateName, decl->loc,
             std::string(kind) + " '" + decl->name + "' is already declared at " +
                 sources.Position(it->second->loc))
        .notes.push_back(std::string("to replace it on purpose, write 'override ") + kind + " " +
                         decl->name + "'");
    return;
  }
  diags.Add(Code::kOverrideApplied, decl->loc,
            std::string(kind) + " '" + decl->name + "' replaces the one at " +
                sources.Position(it->second->loc));
  it->second = decl;
}

std::vector<std::string_view> Keys(const auto& table) {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : table) out.push_back(k);
  return out;
}

class Resolver {
 public:
  Resolver(Program& p, Diagnostics& d) : p_(p), diags_(d) {}

  void Run() {
    // Lists nest by name: a bare word in a list that names a declared list stands for its
    // items. Spliced first, so that every later pass sees flat lists.
    for (const auto& [name, list] : p_.lists) Flatten(name);
    for (const auto& [name, list] : p_.lists) CheckListItems(*list);
    for (const auto& [name, macro] : p_.macros) ResolveExpr(const_cast<ast::Expr&>(macro->body));
    for (auto* rule : p_.rule_order) {
      if (rule->when) ResolveExpr(*rule->when);
      for (auto& st : rule->correlation.steps)
        if (st.when) ResolveExpr(*st.when);
      for (auto& x : rule->exceptions)
        if (x.usable)
          for (auto& t : x.tuples) ResolveExpr(t.expr);
    }
    for (const auto* policy : p_.policy_order) ResolvePolicyRules(*policy);
    for (const auto* test : p_.tests) {
      if (!p_.rules.count(test->rule) && !p_.IsUnparsed(test->rule))
        diags_.Add(Code::kUnknownRule, test->loc,
                   "test for unknown rule '" + test->rule + "'" +
                       DidYouMean(Suggest(test->rule, Keys(p_.rules))));
    }
  }

 private:
  // Splices the lists named in `items` (bare words only: a quoted "name" stays text).
  void SpliceNamedLists(std::vector<ast::Value>& items, const std::string& owner) {
    auto names_list = [&](const ast::Value& item) {
      return item.kind == ast::Value::Kind::kWord && p_.lists.count(item.text) > 0;
    };
    if (std::none_of(items.begin(), items.end(), names_list)) return;
    std::vector<ast::Value> out;
    for (auto& item : items) {
      if (!names_list(item)) {
        out.push_back(std::move(item));
        continue;
      }
      auto it = p_.lists.find(item.text);
      p_.list_uses[item.text]++;
      if (!Flatten(item.text)) {
        diags_.Add(Code::kMacroCycle, item.loc,
                   "list '" + item.text + "' includes " +
                       (item.text == owner ? std::string("itself") : "'" + owner + "'") +
                       ", so it would never end")
            .notes.push_back("a bare word naming a list stands for its items; quote it (\"" +
                             item.text + "\") to mean the text");
        continue;
      }
      for (const auto& inner : it->second->items) out.push_back(inner);
    }
    items = std::move(out);
  }

  // Splices the lists that list `name` names; false while `name` is being flattened (a cycle).
  bool Flatten(const std::string& name) {
    auto [state, fresh] = flatten_state_.emplace(name, kInProgress);
    if (!fresh) return state->second == kDone;
    auto* list = const_cast<ast::ListDecl*>(p_.lists.at(name));
    SpliceNamedLists(list->items, name);
    flatten_state_[name] = kDone;
    return true;
  }

  // A named list holds values of one kind: all strings, or all numbers.
  void CheckListItems(const ast::ListDecl& list) {
    std::optional<bool> numeric;
    for (const auto& item : list.items) {
      bool is_num = item.kind == ast::Value::Kind::kInt || item.kind == ast::Value::Kind::kRange;
      bool is_str = item.kind == ast::Value::Kind::kString || item.kind == ast::Value::Kind::kWord;
      if (!is_num && !is_str) continue;  // calls (cidr) and qualified items are checked in use
      if (!numeric) {
        numeric = is_num;
      } else if (*numeric != is_num) {
        diags_.Add(Code::kMixedList, item.loc,
                   "list '" + list.name + "' mixes numbers and strings; quote the numbers or "
                   "split the list");
        return;
      }
    }
  }

  void ResolveExpr(ast::Expr& e) {
    for (auto& c : e.children) ResolveExpr(c);
    if (e.op == ast::Op::kBare && e.lhs.kind == ast::Value::Kind::kField && e.lhs.index < 0) {
      const std::string& name = e.lhs.text;
      if (p_.macros.count(name)) {
        p_.macro_uses[name]++;
        return;  // expanded in pass 3
      }
      if (FieldByName(name)) return;  // a boolean field, type-checked in pass 4
      if (p_.IsUnparsed(name)) return;
      std::vector<std::string_view> names = Keys(p_.macros);
      for (const auto& f : AllFields())
        if (f.type == Type::kBool) names.push_back(f.name);
      diags_.Add(Code::kUnknownName, e.lhs.loc,
                 "'" + name + "' is neither a macro nor a boolean field" +
                     DidYouMean(Suggest(name, names)));
      // Stands in as `true` so that later passes do not report it again.
      e.lhs.kind = ast::Value::Kind::kBool;
      e.lhs.boolean = true;
      return;
    }
    const bool any_of = e.op == ast::Op::kStartsWith || e.op == ast::Op::kEndsWith ||
                        e.op == ast::Op::kContains || e.op == ast::Op::kIContains;
    if (e.rhs.kind == ast::Value::Kind::kList &&
        (e.op == ast::Op::kIn || e.op == ast::Op::kNotIn || e.op == ast::Op::kIntersects || any_of))
      SpliceNamedLists(e.rhs.items, "");
    // `file.path startswith shell_dirs`: a name on the right that is a declared list and not a
    // field is that list (any of its items). A field of the same name wins.
    if (e.rhs.kind == ast::Value::Kind::kField && e.rhs.index < 0 && p_.lists.count(e.rhs.text) &&
        !FieldByName(e.rhs.text)) {
      p_.list_uses[e.rhs.text]++;  // used, even where misused (reported below)
      if (any_of) {
        e.rhs.kind = ast::Value::Kind::kListRef;
      } else if (e.op == ast::Op::kGlob || e.op == ast::Op::kMatches) {
        diags_
            .Add(Code::kTypeMismatch, e.rhs.loc,
                 std::string("'") + ast::OpName(e.op) + "' takes one pattern, not the list '" +
                     e.rhs.text + "': to test several patterns, join the tests with 'or'")
            .notes.push_back("startswith, endswith and contains take a list: any of its items");
        e.op = ast::Op::kBare;  // stands in as `true`: reported once
        e.lhs = ast::Value{};
        e.lhs.kind = ast::Value::Kind::kBool;
        e.lhs.boolean = true;
        return;
      } else if (e.op == ast::Op::kEq || e.op == ast::Op::kNe) {
        diags_
            .Add(Code::kTypeMismatch, e.rhs.loc,
                 "'" + e.rhs.text + "' is a list: '" + ast::OpName(e.op) +
                     "' compares with one value; write '" +
                     (e.op == ast::Op::kEq ? "in " : "not in ") + e.rhs.text + "'")
            .notes.push_back("to compare with the text itself, quote it: \"" + e.rhs.text + "\"");
        e.op = ast::Op::kBare;
        e.lhs = ast::Value{};
        e.lhs.kind = ast::Value::Kind::kBool;
        e.lhs.boolean = true;
        return;
      }
    }
    if (e.rhs.kind == ast::Value::Kind::kListRef) {
      const std::string name = e.rhs.text;
      if (p_.lists.count(name)) {
        if (!any_of) p_.list_uses[name]++;  // counted above
      } else if (!p_.IsUnparsed(name)) {
        diags_.Add(Code::kUnknownList, e.rhs.loc,
                   "unknown list '" + name + "'" + DidYouMean(Suggest(name, Keys(p_.lists))));
      }
    }
  }

  void ResolvePolicyRules(const ast::PolicyDecl& policy) {
    ResolveSelectors(policy.rules, "rules");
    ResolveSelectors(policy.exclude, "exclude");
  }

  // Rule names, tag:NAME and (in `rules`) severity:LEVEL, each matching at least one rule.
  void ResolveSelectors(const std::vector<ast::Value>& selectors, const char* property) {
    const bool include = std::string_view(property) == "rules";
    for (const auto& sel : selectors) {
      if (sel.kind == ast::Value::Kind::kQualified) {
        if (sel.text == "severity" && include) {
          if (!ast::SeverityByName(sel.items[1].text))
            diags_.Add(Code::kBadEnumValue, sel.items[1].loc,
                       "unknown severity '" + sel.items[1].text +
                           "'; severity:LEVEL selects the rules of LEVEL or above (info, low, "
                           "medium, high, critical)");
          continue;
        }
        if (sel.text != "tag") {
          diags_.Add(Code::kBadProperty, sel.loc,
                     "'" + sel.text + ":' is not a rule selector; use a rule name or tag:NAME" +
                         (include ? std::string(" or severity:LEVEL") : std::string()) +
                         (sel.text == "severity" ? " (a policy's minimum severity is "
                                                   "'min_severity LEVEL')"
                                                 : ""));
          continue;
        }
        const std::string& tag = sel.items[1].text;
        bool found = false;
        std::set<std::string> all_tags;
        for (const auto* rule : p_.rule_order)
          for (const auto& t : rule->tags) {
            all_tags.insert(t.text);
            found |= t.text == tag;
          }
        if (!found) {
          std::vector<std::string_view> names(all_tags.begin(), all_tags.end());
          diags_.Add(Code::kUnknownTag, sel.loc,
                     "no rule has the tag '" + tag + "'" + DidYouMean(Suggest(tag, names)));
        }
        continue;
      }
      if (sel.kind != ast::Value::Kind::kWord && sel.kind != ast::Value::Kind::kString) {
        diags_.Add(Code::kBadProperty, sel.loc,
                   std::string("a policy's ") + property + " are rule names or tag:NAME");
        continue;
      }
      if (!p_.rules.count(sel.text) && !p_.IsUnparsed(sel.text))
        diags_.Add(Code::kUnknownRule, sel.loc,
                   "unknown rule '" + sel.text + "'" + DidYouMean(Suggest(sel.text, Keys(p_.rules))));
    }
  }

  enum FlattenState { kInProgress, kDone };
  Program& p_;
  Diagnostics& diags_;
  std::map<std::string, FlattenState> flatten_state_;
};

}  // namespace

bool Program::IsUnparsed(const std::string& name) const {
  return unparsed_names.count(name) > 0;
}

void CollectDeclarations(Program& p, Diagnostics& diags) {
  std::map<std::string, const ast::PolicyDecl*> policies;
  std::map<std::string, const ast::TestDecl*> tests;
  for (auto& file : p.files) {
    for (auto& d : file.lists) Declare(p.lists, &d, "list", p.sources, diags);
    for (auto& d : file.macros) Declare(p.macros, &d, "macro", p.sources, diags);
    for (auto& d : file.rules) Declare(p.rules, &d, "rule", p.sources, diags);
    for (auto& d : file.policies) Declare(policies, &d, "policy", p.sources, diags);
    for (auto& d : file.tests) p.tests.push_back(&d);
    for (auto& n : file.unparsed_names) p.unparsed_names.insert(n);
  }
  // Declaration order of the winners: stable output and stable policy slots.
  for (auto& file : p.files) {
    for (auto& d : file.rules)
      if (p.rules.at(d.name) == &d) p.rule_order.push_back(&d);
    for (auto& d : file.policies)
      if (policies.at(d.name) == &d) p.policy_order.push_back(&d);
  }
}

void ResolveReferences(Program& p, Diagnostics& diags) { Resolver(p, diags).Run(); }

}  // namespace vigil::lang
