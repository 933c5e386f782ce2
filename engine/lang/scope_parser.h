// Policy scopes on their own: used by pass 5 for `scope` in policies, and by
// `vigil trace --scope EXPR` for a scope given on the command line.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lang/ast.h"
#include "lang/diagnostics.h"
#include "lang/scope.h"
#include "util/result.h"

namespace vigil::lang {

struct Program;

// Validates a parsed scope expression and normalises it. Findings (V019) go to `diags`.
// `program` supplies named lists (`comm in my_list`); it may be null.
std::optional<Scope> BuildScope(const ast::Expr& expr, const Program* program, Diagnostics& diags);

// Parses and validates a scope written as text (file `file_id` of `sources`), e.g.
// "comm in [vigil-e2e-x] follow and uid >= 1000". On failure: the findings, located in that
// text, for engine/output to render.
Result<Scope, Diagnostics> ParseScope(const SourceSet& sources, uint32_t file_id);

}  // namespace vigil::lang
