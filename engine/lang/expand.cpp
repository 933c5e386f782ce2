// Pass 3: macro expansion. Each macro body is expanded once (memoised); a rule's condition
// receives copies, marked with the macro's name so that findings can say where they came from.
//
// Copies are checked before they are made, against the limits of lang/limits.h: a condition may
// not grow past kMaxExpandedNodes nodes nor nest deeper than kMaxNestingDepth, macros may not
// use each other more than kMaxNestingDepth deep, and all copies together stay under
// kMaxTotalExpandedNodes. A use that would cross a limit is reported where it is written (V042,
// V043) and stands in as `true`, like a macro cycle; so `m1 = m0 or m0 ... m24` stops at the first
// macro past the limit in microseconds and bounded memory instead of doubling 24 times.
#include <algorithm>
#include <set>

#include "lang/limits.h"
#include "lang/passes.h"

namespace vigil::lang {
namespace {

void MarkFrom(ast::Expr& e, const std::string& macro) {
  if (e.from_macro.empty()) e.from_macro = macro;
  for (auto& c : e.children) MarkFrom(c, macro);
}

bool IsMacroUse(const ast::Expr& e) {
  return e.op == ast::Op::kBare && e.lhs.kind == ast::Value::Kind::kField && e.lhs.index < 0;
}

// A use that cannot be expanded stands in as `true`.
void StandIn(ast::Expr& e) {
  e.lhs.kind = ast::Value::Kind::kBool;
  e.lhs.boolean = true;
}

class Expander {
 public:
  Expander(Program& p, Diagnostics& d) : p_(p), diags_(d) {}

  void Run() {
    // Declaration order first, so that a chain of macros each using the one before is expanded
    // one link at a time (memoised) instead of recursing down the whole chain.
    for (const auto& file : p_.files)
      for (const auto& macro : file.macros) {
        auto it = p_.macros.find(macro.name);
        if (it != p_.macros.end() && it->second == &macro) Expanded(macro.name);
      }
    for (const auto& [name, macro] : p_.macros) p_.macro_bodies[name] = Expanded(name).expr;
    for (auto* rule : p_.rule_order) {
      auto expand = [&](ast::Expr& e) {
        Root root;
        std::swap(root, root_);
        Expand(e, 1);
        std::swap(root, root_);
      };
      if (rule->when) expand(*rule->when);
      for (auto& st : rule->correlation.steps)
        if (st.when) expand(*st.when);
    }
  }

 private:
  enum class State { kInProgress, kDone };

  struct Body {
    ast::Expr expr;
    size_t nodes = 1;
    int depth = 1;
    bool failed = false;  // crossed a limit (reported); its uses stand in as `true` silently
  };

  // The condition being expanded: its node count so far, and whether it crossed a limit.
  struct Root {
    size_t nodes = 0;
    bool failed = false;
  };

  const Body& Expanded(const std::string& name) {
    auto it = expanded_.find(name);
    if (it != expanded_.end()) return it->second;
    state_[name] = State::kInProgress;
    stack_.push_back(name);
    Body body;
    body.expr = p_.macros.at(name)->body;
    Root root;
    std::swap(root, root_);
    body.depth = Expand(body.expr, 1);
    body.nodes = root_.nodes;
    body.failed = root_.failed;
    std::swap(root, root_);
    stack_.pop_back();
    state_[name] = State::kDone;
    return expanded_.emplace(name, std::move(body)).first->second;
  }

  // Expands the macros used in `e`, which sits at depth `level` of the current condition;
  // returns the height of `e` after expansion.
  int Expand(ast::Expr& e, int level) {
    if (!IsMacroUse(e) || !p_.macros.count(e.lhs.text)) {
      ++root_.nodes;
      int height = 1;
      for (auto& c : e.children) height = std::max(height, Expand(c, level + 1) + 1);
      return height;
    }
    const std::string name = e.lhs.text;
    auto st = state_.find(name);
    if (st != state_.end() && st->second == State::kInProgress) {
      ReportCycle(name, e.lhs.loc);
      return StandInFor(e);
    }
    if (root_.failed) return StandInFor(e);  // reported once per condition
    if (stack_.size() >= static_cast<size_t>(kMaxNestingDepth)) {
      Fail(Code::kNestingTooDeep, e.lhs.loc,
           "macros used inside macros more than " + std::to_string(kMaxNestingDepth) + " deep; '" +
               name + "' is not expanded",
           "macro chain starts at '" + stack_.front() + "'");
      return StandInFor(e);
    }
    const Body& body = Expanded(name);
    if (body.failed) {
      root_.failed = true;
      return StandInFor(e);
    }
    if (level - 1 + body.depth > kMaxNestingDepth) {
      Fail(Code::kNestingTooDeep, e.lhs.loc,
           "expanding '" + name + "' here nests this condition more than " +
               std::to_string(kMaxNestingDepth) + " levels deep",
           "'" + name + "' is " + std::to_string(body.depth) + " levels deep when expanded");
      return StandInFor(e);
    }
    if (root_.nodes + body.nodes > kMaxExpandedNodes) {
      Fail(Code::kExpansionTooLarge, e.lhs.loc,
           "expanding '" + name + "' here makes this condition larger than " +
               std::to_string(kMaxExpandedNodes) + " nodes",
           "'" + name + "' expands to " + std::to_string(body.nodes) +
               " nodes; each use of a macro is a copy, so macros that use another twice double "
               "in size");
      return StandInFor(e);
    }
    if (total_copied_ + body.nodes > kMaxTotalExpandedNodes) {
      if (total_exceeded_) {  // reported once, at the first use past the limit
        root_.failed = true;
        return StandInFor(e);
      }
      total_exceeded_ = true;
      Fail(Code::kExpansionTooLarge, e.lhs.loc,
           "expanding '" + name + "' here makes all conditions together larger than " +
               std::to_string(kMaxTotalExpandedNodes) + " nodes after macro expansion",
           "macros are copied into every condition that uses them");
      return StandInFor(e);
    }
    total_copied_ += body.nodes;
    root_.nodes += body.nodes;
    bool follow = e.follow;
    SourceLoc use = e.loc;
    e = body.expr;
    MarkFrom(e, name);
    e.follow = e.follow || follow;
    if (!e.loc.valid()) e.loc = use;
    return body.depth;
  }

  int StandInFor(ast::Expr& e) {
    StandIn(e);
    ++root_.nodes;
    return 1;
  }

  void Fail(Code code, SourceLoc at, std::string message, std::string note) {
    root_.failed = true;
    auto& d = diags_.Add(code, at, std::move(message));
    d.notes.push_back(std::move(note));
    if (!stack_.empty()) d.notes.push_back("in macro '" + stack_.back() + "'");
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
  std::map<std::string, Body> expanded_;
  std::map<std::string, State> state_;
  std::vector<std::string> stack_;
  std::set<std::string> reported_;
  Root root_;
  size_t total_copied_ = 0;
  bool total_exceeded_ = false;
};

}  // namespace

void ExpandMacros(Program& p, Diagnostics& diags) {
  Expander(p, diags).Run();
}

}  // namespace vigil::lang
