#include "lang/ast.h"

#include <cctype>

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

const std::vector<SeverityNameInfo>& SeverityNames() {
  static const std::vector<SeverityNameInfo> kNames = {
      {"info", Severity::kInfo, false},         {"low", Severity::kLow, false},
      {"medium", Severity::kMedium, false},     {"high", Severity::kHigh, false},
      {"critical", Severity::kCritical, false}, {"emergency", Severity::kCritical, true},
      {"alert", Severity::kCritical, true},     {"error", Severity::kHigh, true},
      {"warning", Severity::kMedium, true},     {"notice", Severity::kLow, true},
      {"informational", Severity::kInfo, true}, {"debug", Severity::kInfo, true},
  };
  return kNames;
}

std::optional<std::pair<Severity, bool>> SeverityByName(std::string_view name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& n : SeverityNames())
    if (lower == n.name) return std::make_pair(n.severity, n.falco_alias);
  return std::nullopt;
}

}  // namespace vigil::lang::ast
