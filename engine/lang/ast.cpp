#include "lang/ast.h"

namespace vigil::lang::ast {

const char* OpName(Op op) {
  switch (op) {
    case Op::kAnd: return "and";
    case Op::kOr: return "or";
    case Op::kNot: return "not";
    case Op::kEq: return "==";
    case Op::kNe: return "!=";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kContains: return "contains";
    case Op::kIContains: return "icontains";
    case Op::kStartsWith: return "startswith";
    case Op::kEndsWith: return "endswith";
    case Op::kGlob: return "glob";
    case Op::kMatches: return "matches";
    case Op::kIn: return "in";
    case Op::kNotIn: return "not in";
    case Op::kIntersects: return "intersects";
    case Op::kExists: return "exists";
    case Op::kBare: return "bare";
  }
  return "?";
}

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "?";
}

}  // namespace vigil::lang::ast
