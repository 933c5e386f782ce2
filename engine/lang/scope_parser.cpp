#include "lang/scope_parser.h"

#include "lang/parser.h"

namespace vigil::lang {

std::optional<Scope> ParseScope(std::string_view text, std::string* error) {
  SourceSet sources;
  uint32_t id = sources.Add("<scope>", std::string(text));
  Diagnostics diags;
  std::optional<Scope> scope;
  if (auto expr = ParseExpression(sources, id, diags)) scope = BuildScope(*expr, nullptr, diags);
  if (diags.errors() == 0 && scope) return scope;
  if (error) {
    error->clear();
    diags.Sort();
    for (const auto& d : diags.all()) {
      if (d.level != Level::kError) continue;
      if (!error->empty()) *error += "\n";
      *error += std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column) + ": " + d.message;
      for (const auto& n : d.notes) *error += " (" + n + ")";
    }
  }
  return std::nullopt;
}

}  // namespace vigil::lang
