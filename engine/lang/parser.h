// Parse one .vgl file into vigil's AST. Syntax errors become V001 findings; the parser
// recovers and keeps going, so every syntax error in a file is reported in one run.
#pragma once

#include "lang/ast.h"
#include "lang/diagnostics.h"
#include "lang/source.h"

namespace vigil::lang {

ast::File ParseFile(const SourceSet& sources, uint32_t file_id, Diagnostics& diags);

// Parses a standalone expression (a `--scope` argument, for instance). Findings refer to
// `file_id`, whose whole text is the expression.
std::optional<ast::Expr> ParseExpression(const SourceSet& sources, uint32_t file_id,
                                         Diagnostics& diags);

// Replaces every invalid UTF-8 sequence with U+FFFD. Returns the byte offset of the first
// invalid sequence, or npos when the text was valid.
size_t SanitizeUtf8(std::string& text);

}  // namespace vigil::lang
