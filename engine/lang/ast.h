// vigil's own syntax tree. ANTLR types stop at parser.cpp; every later pass sees only this.
// Nodes are plain values (copyable), so that macro expansion can copy a body into a rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lang/events.h"
#include "lang/fields.h"
#include "lang/source.h"

namespace vigil::lang::ast {

// A value as written: literals, bare words, ranges, qualified items (tag:x, 4026531840:"/bin/x"),
// calls (cidr("10.0.0.0/8"), lower(proc.name)), list literals, field references and list names.
struct Value {
  enum class Kind { kString, kInt, kBool, kWord, kRange, kQualified, kCall, kList, kField, kListRef };
  Kind kind = Kind::kString;
  SourceLoc loc;
  std::string text;      // string contents (unescaped), word, field name, list name, function name
  int64_t number = 0;    // int; range low end
  int64_t number_hi = 0; // range high end
  bool boolean = false;
  int index = -1;        // field[N]
  std::string key;       // field[NAME] (proc.env[LD_PRELOAD]); empty when none
  std::vector<Value> items;  // list items, call arguments, {qualifier, item} for kQualified

  // Filled in by name resolution and type checking.
  std::optional<FieldId> field;       // kField resolved
  std::optional<int64_t> constant;    // a bare word resolved to a named constant (O_CREAT)
};

enum class Op {
  kAnd, kOr, kNot,
  kEq, kNe, kLt, kLe, kGt, kGe,
  kContains, kIContains, kStartsWith, kEndsWith, kGlob, kMatches,
  kIn, kNotIn, kIntersects,
  kExists,
  kBare,  // a bare name: a boolean field or a macro
};
const char* OpName(Op op);

struct Expr {
  Op op = Op::kBare;
  SourceLoc loc;
  std::vector<Expr> children;  // kAnd, kOr (two or more), kNot (one)
  Value lhs, rhs;              // predicates
  bool follow = false;         // `follow` suffix (scopes only)
  std::string from_macro;      // set on nodes copied in by macro expansion
};

struct ListDecl {
  std::string name;
  SourceLoc loc;
  bool is_override = false;
  std::vector<Value> items;
};

struct MacroDecl {
  std::string name;
  SourceLoc loc;
  bool is_override = false;
  Expr body;
};

enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };
const char* SeverityName(Severity s);

struct RuleDecl {
  std::string name;
  SourceLoc loc;
  bool is_override = false;
  std::string desc;
  std::optional<Severity> severity;
  bool severity_given = false;  // written, even if misspelt
  std::vector<Value> mitre;
  std::vector<Value> tags;
  bool has_on = false;
  bool on_all = false;
  SourceLoc on_loc;
  std::vector<Value> on;  // event type words
  EventMask events = 0;   // resolved `on`
  std::optional<Expr> when;
  std::string output;
  SourceLoc output_loc;
  std::string output_raw;  // the token as written, for positions inside the template
  bool enabled = true;
};

struct TestCase {
  bool expect_alert = true;
  SourceLoc loc;
  std::string event;
  SourceLoc event_loc;
  std::vector<std::pair<Value, Value>> fields;  // field reference -> value
};

struct TestDecl {
  std::string rule;
  SourceLoc loc;
  std::vector<TestCase> cases;
};

enum class Action { kAlert, kKill };

struct PolicyDecl {
  std::string name;
  SourceLoc loc;
  bool is_override = false;
  std::string desc;
  std::optional<Expr> scope;
  SourceLoc scope_loc;
  bool has_rules = false;
  std::vector<Value> rules;  // rule names (kWord) and tag selectors (kQualified "tag")
  Action action = Action::kAlert;
  bool enabled = true;
};

// Everything declared in one file.
struct File {
  uint32_t id = 0;
  std::vector<ListDecl> lists;
  std::vector<MacroDecl> macros;
  std::vector<RuleDecl> rules;
  std::vector<TestDecl> tests;
  std::vector<PolicyDecl> policies;
  std::vector<std::string> unparsed_names;  // declarations skipped for syntax errors
};

}  // namespace vigil::lang::ast
