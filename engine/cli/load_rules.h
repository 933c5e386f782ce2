// Shared by the commands that compile rules (test, replay, compile): load the files, run the
// front end, refuse on errors (printed as lint prints them), compile the rules.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "compile/rule_compiler.h"
#include "lang/program.h"
#include "match/rule_set.h"

namespace vigil::cli {

// The front end, then (when it found no error) the rule compiler, as `vigil lint` and every
// command that compiles rules run them: the findings of both go to `diags` (sorted), so lint
// reports what compile would refuse. Returns the compiled rules, or null on any error.
std::unique_ptr<match::RuleSet> AnalyzeAndCompile(lang::Program& program,
                                                  const compile::RuleCompileOptions& options,
                                                  lang::Diagnostics& diags);

struct LoadedRules {
  std::unique_ptr<lang::Program> program;
  std::unique_ptr<match::RuleSet> rules;
};

// Returns the loaded rules, or an exit code (kExitUsage for unreadable paths, kExitFindings
// for front-end or compiler errors) after printing why to `err` prefixed with `command`.
struct LoadResult {
  LoadedRules loaded;
  int exit_code = 0;
  bool ok() const { return exit_code == 0; }
};
LoadResult LoadAndCompile(const std::string& command, const std::vector<std::string>& paths,
                          const compile::RuleCompileOptions& options, std::ostream& err);

}  // namespace vigil::cli
