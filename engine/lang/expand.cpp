// Pass 3: macro expansion. Each macro body is expanded once (memoised); a rule's condition
// receives copies, marked with the macro's name so that findings can say where they came from.
#include <set>

#include "lang/passes.h"

namespace vigil::lang {
namespace {

void MarkFrom(ast::Expr& e, const std::string& macro) {
  if (e.from_macro.empty()) e.from_macro = macro;
  for (auto& c : e.children) MarkFrom(c, macro);
}

class Expander {
 public:
  Expander(Program& p, Diagnostics& d) : p_(p), diags_(d) {}

  void Run() {
    for (const auto& [name, macro] : p_.macros) p_.macro_bodies[name] = Expanded(name);
    for (auto* rule : p_.rule_order)
      if (rule->when) Expand(*rule->when);
  }

 private:
  enum class State { kInProgress, kDone };

  const ast::Expr& Expanded(const std::string& name) {
    auto it = expanded_.find(name);
    if (it != expanded_.end()) return it->second;
    state_[name] = State::kInProgress;
    stack_.push_back(name);
    ast::Expr body = p_.macros.at(name)->body;
    Expand(body);
    stack_.pop_back();
    state_[name] = State::kDone;
    return expanded_.emplace(name, std::move(body)).first->second;
  }

  void Expand(ast::Expr& e) {
    for (auto& c : e.children) Expand(c);
    if (e.op != ast::Op::kBare || e.lhs.kind != ast::Value::Kind::kField || e.lhs.index >= 0) return;
    const std::string name = e.lhs.text;
    if (!p_.macros.count(name)) return;
    auto st = state_.find(name);
    if (st != state_.end() && st->second == State::kInProgress) {
      ReportCycle(name, e.lhs.loc);
      e.lhs.kind = ast::Value::Kind::kBool;  // stands in as `true`
      e.lhs.boolean = true;
      return;
    }
    bool follow = e.follow;
    SourceLoc use = e.loc;
    e = Expanded(name);
    MarkFrom(e, name);
    e.follow = e.follow || follow;
    if (!e.loc.valid()) e.loc = use;
  }

  void ReportCycle(const std::string& name, SourceLoc at) {
    std::string path;
    bool in_cycle = false;
    for (const auto& m : stack_) {
      if (m == name) in_cycle = true;
      if (in_cycle) path += m + " -> ";
    }
    path += name;
    if (!reported_.insert(name).second) return;
    diags_.Add(Code::kMacroCycle, at, "macro cycle: " + path)
        .notes.push_back("a macro cannot use itself, directly or through other macros");
  }

  Program& p_;
  Diagnostics& diags_;
  std::map<std::string, ast::Expr> expanded_;
  std::map<std::string, State> state_;
  std::vector<std::string> stack_;
  std::set<std::string> reported_;
};

}  // namespace

void ExpandMacros(Program& p, Diagnostics& diags) { Expander(p, diags).Run(); }

}  // namespace vigil::lang
