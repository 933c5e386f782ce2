// vigil lint: load rule files together, run every front-end pass, report every finding.
#include <iostream>

#include "cli/commands.h"
#include "cli/load_rules.h"
#include "lang/pipeline.h"
#include "output/lint_report.h"

namespace vigil::cli {
namespace {

struct LintOptions {
  std::string format = "text";
  bool werror = false;
  size_t max_findings = lang::kMaxFindingsPerFile;
  std::vector<std::string> paths;
};

int RunLint(const LintOptions& opt) {
  lang::Program program;
  // Paths that cannot be read are findings (V044) in every format, and exit status 2.
  auto load_errors = lang::LoadSources(opt.paths, program);
  lang::Diagnostics diags(opt.max_findings);
  AnalyzeAndCompile(program, {}, diags);
  output::LintSummary summary{program.sources.read_count(), program.rule_order.size(),
                              program.policy_order.size()};
  if (opt.format == "json")
    output::RenderLintJson(program.sources, diags, summary, std::cout);
  else if (opt.format == "sarif")
    output::RenderLintSarif(program.sources, diags, std::cout);
  else
    output::RenderLintText(program.sources, diags, summary, std::cout);
  std::cout.flush();
  if (!load_errors.empty()) return kExitUsage;
  if (diags.errors() > 0 || (opt.werror && diags.warnings() > 0)) return kExitFindings;
  return kExitOk;
}

}  // namespace

void AddLintCommand(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<LintOptions>();
  auto* cmd = app.add_subcommand(
      "lint", "Check rule and policy files: every problem in every file, with file:line:col");
  cmd->add_option("--format", opt->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->capture_default_str();
  cmd->add_flag("--werror", opt->werror, "Treat warnings as errors (exit 1)");
  cmd->add_option("--max-findings", opt->max_findings,
                  "Findings shown per file; the rest are counted (0: show every one)")
      ->capture_default_str();
  cmd->add_option("paths", opt->paths, "Files, directories (recursive *.vgl) or - for stdin")
      ->required();
  cmd->footer(
      "Exit status: 0 no errors (warnings allowed), 1 errors (or warnings with --werror),\n"
      "2 usage or I/O problems. Every check is described in docs/lint.md.");
  cmd->callback([opt, &exit_code] { exit_code = RunLint(*opt); });
}

}  // namespace vigil::cli
