// build/vigil: wires the stages together through one subcommand per file.
#include <cstdio>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"vigil: runtime security detection for Linux (eBPF sensors, a rule language, hot reload)",
               "vigil"};
  app.require_subcommand(1);
  app.fallthrough(false);
  int exit_code = vigil::cli::kExitOk;
  vigil::cli::AddVersionCommand(app, exit_code);
  vigil::cli::AddLintCommand(app, exit_code);
  vigil::cli::AddFieldsCommand(app, exit_code);
  vigil::cli::AddTestCommand(app, exit_code);
  vigil::cli::AddReplayCommand(app, exit_code);
  vigil::cli::AddRulesCommand(app, exit_code);
  vigil::cli::AddTraceCommand(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : vigil::cli::kExitUsage;
  }
  return exit_code;
}
