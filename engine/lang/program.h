// A set of .vgl files loaded together, and what the analysis passes learnt about it.
// This is the front end's output: engine/compile turns it into a kernel plan and matchers.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "lang/ast.h"
#include "lang/diagnostics.h"
#include "lang/scope.h"
#include "lang/source.h"

namespace vigil::lang {

// A policy after analysis: its slot in the kernel's 64-bit bitmaps, its validated scope and
// the enabled rules it selects (in declaration order).
struct ResolvedPolicy {
  const ast::PolicyDecl* decl = nullptr;
  unsigned index = 0;
  Scope scope;
  bool scope_ok = false;
  std::vector<const ast::RuleDecl*> rules;
};

// Rules turned off without editing their files (`vigil run --disable-rule NAME
// --disable-tag TAG`): after declarations are collected they are as if written `enabled false`,
// so no policy selects them and the kernel is not asked for their events.
struct RuleSelection {
  std::vector<std::string> names;
  std::vector<std::string> tags;
  bool empty() const { return names.empty() && tags.empty(); }
};

struct Program {
  SourceSet sources;
  std::vector<ast::File> files;

  // Winning declaration for each name (after `override`), in declaration order.
  std::map<std::string, const ast::ListDecl*> lists;
  std::map<std::string, const ast::MacroDecl*> macros;
  std::map<std::string, ast::RuleDecl*> rules;
  std::vector<ast::RuleDecl*> rule_order;
  std::vector<const ast::PolicyDecl*> policy_order;
  std::vector<const ast::TestDecl*> tests;
  // Names declared in a part of a file that did not parse: references to them are not
  // reported again as unknown.
  std::set<std::string> unparsed_names;

  // Filled by the passes.
  std::map<std::string, int> list_uses;
  std::map<std::string, int> macro_uses;
  std::map<std::string, ast::Expr> macro_bodies;  // expanded, for type checking
  std::vector<ResolvedPolicy> policies;

  // Set before Analyze(): rules to disable; Analyze() lists the names and tags ("tag:x")
  // that matched no rule in `disabled_unmatched`.
  RuleSelection disabled;
  std::vector<std::string> disabled_unmatched;
  std::vector<std::string> disabled_rules;  // the rules it disabled, in declaration order

  bool IsUnparsed(const std::string& name) const;
};

// Maximum number of policies: the kernel's policy bitmaps are 64 bits wide.
inline constexpr size_t kMaxPolicies = 64;

}  // namespace vigil::lang
