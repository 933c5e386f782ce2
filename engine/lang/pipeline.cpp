#include "lang/pipeline.h"

#include "lang/parser.h"
#include "lang/passes.h"

namespace vigil::lang {

void Analyze(Program& program, Diagnostics& diags) {
  program.files.clear();
  for (uint32_t id = 0; id < program.sources.size(); ++id) {
    const SourceFile& source = program.sources.file(id);
    if (!source.unread.empty()) {
      diags.Add(Code::kUnreadable, SourceLoc{id, 0, 0, 0}, source.unread);
      ast::File unread;
      unread.id = id;
      program.files.push_back(std::move(unread));
      continue;
    }
    program.files.push_back(ParseFile(program.sources, id, diags));
  }
  // The pass order, in one place.
  CollectDeclarations(program, diags);
  DisableSelectedRules(program);
  ApplyAppends(program, diags);
  BuildExceptions(program, diags);
  ResolveReferences(program, diags);
  ExpandMacros(program, diags);
  CheckCorrelations(program, diags);
  CheckTypes(program, diags);
  CheckPolicies(program, diags);
  RunLintChecks(program, diags);
  diags.Sort();
}

}  // namespace vigil::lang
