// vigil's own syntax tree. ANTLR types stop at parser.cpp; every later pass sees only this.
// Nodes are plain values (copyable), so that macro expansion can copy a body into a rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
  std::string from_exception;  // set on the tests a rule's named exception became
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

// One row of a named exception: a value for each of its fields.
struct ExceptionTuple {
  SourceLoc loc;
  std::vector<Value> values;
  bool appended = false;  // added by an `append rule` block
  Expr expr;              // the row as a condition (built by the exceptions pass)
};

// `exception NAME: FIELD [OP], ... in [(v, ...), ...]` inside a rule: an event that matches
// every field of any tuple does not alert.
struct ExceptionDecl {
  std::string name;
  SourceLoc loc;
  bool has_fields = false;    // an `append rule` may add tuples without restating the fields
  std::vector<Value> fields;  // kField or kCall
  std::vector<Op> ops;        // per field (kEq when none is written)
  std::vector<SourceLoc> op_locs;
  std::vector<ExceptionTuple> tuples;
  bool appended = false;  // the whole exception comes from an `append rule` block
  bool usable = true;     // false once a problem with it was reported (not compiled)
};

enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };
const char* SeverityName(Severity s);

// The names a severity may be written with: vigil's five, then Falco's priority names as
// aliases (emergency, alert, critical -> critical; error -> high; warning -> medium;
// notice -> low; informational, info, debug -> info). Case does not matter.
struct SeverityNameInfo {
  const char* name;
  Severity severity;
  bool falco_alias;  // not one of vigil's own names
};
const std::vector<SeverityNameInfo>& SeverityNames();
// The severity `name` stands for, and whether it is a Falco alias.
std::optional<std::pair<Severity, bool>> SeverityByName(std::string_view name);

// A step reading a field of an earlier step: `FIELD == STEP.FIELD`, a conjunct at the top of
// the step's condition (the correlation pass takes it out of the condition and keeps it here).
struct StepJoin {
  SourceLoc loc;
  Value field;       // of this step's event
  size_t step = 0;   // the earlier step
  Value step_field;  // of that step's event (text without the step's name)
};

// `step NAME on TYPES [when CONDITION]` of a correlation rule.
struct Step {
  std::string name;
  SourceLoc loc;
  SourceLoc on_loc;
  bool on_all = false;
  std::vector<Value> on;
  EventMask events = 0;  // resolved `on`
  std::optional<Expr> when;
  std::vector<StepJoin> joins;
};

// What a rule says about time: correlation (`count`, `step`) and throttling (`throttle`).
// Durations are in nanoseconds of event time (evt.time).
struct Correlation {
  enum class Kind { kNone, kCount, kSequence, kAnyOrder };
  Kind kind = Kind::kNone;
  SourceLoc loc;      // the property that made the rule a correlation
  int64_t count = 0;  // kCount: at least this many events (or distinct values)
  SourceLoc count_loc;
  std::optional<Value> distinct;  // kCount: count distinct values of this field
  int64_t within_ns = 0;
  SourceLoc within_loc;
  bool has_within = false;
  std::vector<Value> by;  // grouping key fields (correlation and throttle)
  SourceLoc by_loc;
  std::vector<Step> steps;  // kSequence, kAnyOrder
  SourceLoc steps_loc;      // `steps in_order|any_order`
  int64_t max_keys = 0;     // 0: the default (lang/limits.h)
  SourceLoc max_keys_loc;
  int64_t max_pending = 0;  // 0: the default
  SourceLoc max_pending_loc;
};

// `throttle N per DURATION [by FIELDS] [fold true]`: at most N alerts per window per key.
struct Throttle {
  int64_t limit = 0;  // 0: none
  SourceLoc loc;
  int64_t per_ns = 0;
  SourceLoc per_loc;
  bool fold = false;  // identical alerts (same rendered output) share a key
  SourceLoc fold_loc;
};

struct RuleDecl {
  std::string name;
  SourceLoc loc;
  bool is_override = false;
  std::string desc;
  // Where an imported rule came from (docs/import.md): `origin "sigma:ID"`, `author`, `license`
  // and `references [...]`. Empty for rules written by hand.
  std::string origin;
  std::string author;
  std::string license;
  std::vector<std::string> references;
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
  std::vector<ExceptionDecl> exceptions;
  Correlation correlation;
  Throttle throttle;
};

// `append list|macro|rule NAME ...`: adds to the declaration of NAME (after `override`).
struct AppendDecl {
  enum class Kind { kList, kMacro, kRule };
  Kind kind = Kind::kList;
  std::string name;
  SourceLoc loc;
  std::vector<Value> items;               // kList
  Op connective = Op::kOr;                // kMacro: `or` or `and`
  Expr condition;                         // kMacro
  std::vector<ExceptionDecl> exceptions;  // kRule
};

struct TestCase {
  bool expect_alert = true;
  SourceLoc loc;
  std::string event;
  SourceLoc event_loc;
  std::vector<std::pair<Value, Value>> fields;  // field reference -> value
  // A case of several events (`alert [0s open {...}, 5s exec {...}]`): each is a case of one
  // event with its time after the start of the case; `event` and `fields` are then empty.
  std::vector<TestCase> events;
  int64_t at_ns = 0;
  bool timed = false;  // `at` written
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
  std::vector<Value> rules;    // rule names (kWord) and selectors (kQualified "tag", "severity")
  std::vector<Value> exclude;  // rule names and tag selectors taken out of `rules`
  std::optional<Severity> min_severity;
  SourceLoc min_severity_loc;
  Action action = Action::kAlert;
  bool enabled = true;
  Throttle throttle;  // for every rule it selects that has none of its own
};

// Everything declared in one file.
struct File {
  uint32_t id = 0;
  std::vector<ListDecl> lists;
  std::vector<MacroDecl> macros;
  std::vector<RuleDecl> rules;
  std::vector<TestDecl> tests;
  std::vector<PolicyDecl> policies;
  std::vector<AppendDecl> appends;
  std::vector<std::string> unparsed_names;  // declarations skipped for syntax errors
};

}  // namespace vigil::lang::ast
