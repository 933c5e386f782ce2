// build/vigil: wires the stages together through one subcommand per file.
#include <cstdio>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"

int main(int argc, char** argv) {
  // Logs go to stderr: stdout carries the data (events, alerts, findings).
  spdlog::set_default_logger(spdlog::stderr_color_mt("vigil"));
  CLI::App app{"vigil: runtime security detection for Linux (eBPF sensors, a rule language, hot reload)",
               "vigil"};
  app.require_subcommand(1);
  app.fallthrough(false);
  int exit_code = vigil::cli::kExitOk;
  vigil::cli::AddVersionCommand(app, exit_code);
  vigil::cli::AddLintCommand(app, exit_code);
  vigil::cli::AddFieldsCommand(app, exit_code);
  vigil::cli::AddRulesCommand(app, exit_code);
  vigil::cli::AddRunCommand(app, exit_code);
  vigil::cli::AddStatusCommand(app, exit_code);
  vigil::cli::AddReloadCommand(app, exit_code);
  vigil::cli::AddTestCommand(app, exit_code);
  vigil::cli::AddReplayCommand(app, exit_code);
  vigil::cli::AddCompileCommand(app, exit_code);
  vigil::cli::AddRecordCommand(app, exit_code);
  vigil::cli::AddTraceCommand(app, exit_code);
  vigil::cli::AddImportCommand(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : vigil::cli::kExitUsage;
  }
  return exit_code;
}
