// Sigma's detection condition: selection names, `and`, `or`, `not`, parentheses, and the
// quantifiers `1 of NAME*`, `any of`, `all of`, `1 of them`, `all of them`.
#pragma once

#include <map>
#include <string>

#include "importer/sigma/sigma_expr.h"
#include "util/result.h"

namespace vigil::importer::sigma {

// Nesting deeper than this is refused (an error, never a stack overflow).
inline constexpr int kMaxConditionDepth = 64;

// The condition with each selection name replaced by its condition. Errors: an unknown name, a
// quantifier pattern that matches nothing, a syntax error (with the offset in the condition),
// aggregations (`| count() ...`, replaced by correlation rules in Sigma).
Result<Expr> ParseCondition(const std::string& condition,
                            const std::map<std::string, Expr>& selections);

}  // namespace vigil::importer::sigma
