// The condition of an imported Sigma rule, between Sigma's detection and vigil's text: a tree of
// and/or/not over tests of one vigil field each. It is rendered as a vigil condition, and
// evaluated on a test event with vigil's semantics (an absent field never satisfies a positive
// test) so that the generated test cases are checked before they are written.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vigil::importer::sigma {

enum class FieldType { kString, kInt, kUint, kAddress, kBool };

struct VField {
  std::string name;  // the vigil field: "proc.exe"
  FieldType type = FieldType::kString;
};

enum class Op {
  kEq,          // ==
  kContains,    // contains (icontains when case-insensitive)
  kStartsWith,  // startswith
  kEndsWith,    // endswith
  kGlob,        // glob (Sigma's wildcards * and ?)
  kRegex,       // matches (RE2)
  kCidr,        // in [cidr(...)]
  kExists,      // exists FIELD
  kLt,
  kLe,
  kGt,
  kGe,
  kTrue,  // a bool field alone
};

struct Test {
  VField field;
  Op op = Op::kEq;
  std::string text;    // string, address, pattern or cidr block
  int64_t number = 0;  // numeric fields
  bool ci = false;     // case-insensitive: lower(field) against a lower-case value
};

struct Expr {
  enum class Kind { kConst, kLeaf, kAnd, kOr, kNot };
  Kind kind = Kind::kConst;
  bool value = false;  // kConst
  Test test;           // kLeaf
  std::vector<Expr> kids;
};

Expr Const(bool value);
Expr Leaf(Test test);
Expr And(std::vector<Expr> kids);
Expr Or(std::vector<Expr> kids);
Expr Not(Expr kid);

// Flattens nested and/or, folds constants, removes double negation.
Expr Simplify(const Expr& e);

// Replaces every test of `field` by the constant `pred(test)` (used to decide a rule's event
// types: a pseudo-field such as Initiated becomes true or false per type), then simplifies.
template <class Pred>
Expr Substitute(const Expr& e, const std::string& field, Pred pred) {
  if (e.kind == Expr::Kind::kLeaf) return e.test.field.name == field ? Const(pred(e.test)) : e;
  Expr out = e;
  for (auto& k : out.kids) k = Substitute(k, field, pred);
  return Simplify(out);
}

bool Mentions(const Expr& e, const std::string& field);

// vigil condition text. Tests of one field and operator joined by `or` become one list test
// (`in [...]`, `startswith [...]`).
std::string RenderCondition(const Expr& e);

// A test event: field name to value (strings, addresses as text, numbers, bools).
struct EventValue {
  FieldType type = FieldType::kString;
  std::string text;
  int64_t number = 0;
  bool flag = false;
  bool operator==(const EventValue&) const = default;
};
using Event = std::map<std::string, EventValue>;

// The condition on `event`, with vigil's semantics.
bool Evaluate(const Expr& e, const Event& event);
bool EvaluateTest(const Test& t, const Event& event);

}  // namespace vigil::importer::sigma
