// Policy scopes on their own: used by pass 5 for `scope` in policies, and by
// `vigil trace --scope EXPR` for a scope given on the command line.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lang/ast.h"
#include "lang/diagnostics.h"
#include "lang/scope.h"

namespace vigil::lang {

struct Program;

// Validates a parsed scope expression and normalises it. Findings (V019) go to `diags`.
// `program` supplies named lists (`comm in my_list`); it may be null.
std::optional<Scope> BuildScope(const ast::Expr& expr, const Program* program, Diagnostics& diags);

// Parses and validates a scope written as text, e.g. "comm in [vigil-e2e-x] follow and
// uid >= 1000". On failure returns nullopt and, if `error` is given, a readable message
// ("1:6: scope cannot be evaluated in the kernel: ...").
std::optional<Scope> ParseScope(std::string_view text, std::string* error);

}  // namespace vigil::lang
