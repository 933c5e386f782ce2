#include "cli/load_rules.h"

#include "cli/commands.h"
#include "compile/exception_checks.h"
#include "lang/pipeline.h"
#include "output/lint_report.h"

namespace vigil::cli {

std::unique_ptr<match::RuleSet> AnalyzeAndCompile(lang::Program& program,
                                                  const compile::RuleCompileOptions& options,
                                                  lang::Diagnostics& diags) {
  lang::Analyze(program, diags);
  if (diags.errors() > 0) return nullptr;
  auto compiled = compile::CompileRules(program, options);
  if (compiled) {
    compile::CheckAppendedExceptions(program, diags);
    diags.Sort();
    return std::move(*compiled);
  }
  diags.Merge(std::move(compiled.error_value()));
  diags.Sort();
  return nullptr;
}

LoadResult LoadAndCompile(const std::string& command, const std::vector<std::string>& paths,
                          const compile::RuleCompileOptions& options, std::ostream& err) {
  LoadResult result;
  auto program = std::make_unique<lang::Program>();
  // A path that cannot be read is a finding (V044) among the others, as in `vigil lint`.
  const bool unread = !lang::LoadSources(paths, *program).empty();
  lang::Diagnostics diags;
  auto rules = AnalyzeAndCompile(*program, options, diags);
  if (!rules || unread) {
    output::LintSummary summary{program->sources.read_count(), program->rule_order.size(),
                                program->policy_order.size()};
    output::RenderLintText(program->sources, diags, summary, err);
    err << "vigil " << command << ": "
        << (unread ? "some paths could not be read" : "the rules have errors")
        << " (see above); nothing was evaluated\n";
    result.exit_code = unread ? kExitUsage : kExitFindings;
    return result;
  }
  result.loaded.program = std::move(program);
  result.loaded.rules = std::move(rules);
  return result;
}

}  // namespace vigil::cli
