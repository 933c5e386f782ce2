#include "lang/scope_parser.h"

#include "lang/parser.h"

namespace vigil::lang {

Result<Scope, Diagnostics> ParseScope(const SourceSet& sources, uint32_t file_id) {
  Diagnostics diags;
  std::optional<Scope> scope;
  if (auto expr = ParseExpression(sources, file_id, diags))
    scope = BuildScope(*expr, nullptr, diags);
  if (diags.errors() == 0 && scope) return std::move(*scope);
  diags.Sort();
  return diags;
}

}  // namespace vigil::lang
