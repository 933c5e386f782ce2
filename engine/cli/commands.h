// Each subcommand lives in its own file and registers itself on the CLI11 app.
// A registrar adds the subcommand and, when it is chosen, stores its exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace vigil::cli {

// Exit codes shared by every command (DESIGN.md, "Command line").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

void AddVersionCommand(CLI::App& app, int& exit_code);
void AddLintCommand(CLI::App& app, int& exit_code);
void AddFieldsCommand(CLI::App& app, int& exit_code);
void AddRulesCommand(CLI::App& app, int& exit_code);
void AddRunCommand(CLI::App& app, int& exit_code);
void AddStatusCommand(CLI::App& app, int& exit_code);
void AddReloadCommand(CLI::App& app, int& exit_code);
void AddTestCommand(CLI::App& app, int& exit_code);
void AddReplayCommand(CLI::App& app, int& exit_code);
void AddCompileCommand(CLI::App& app, int& exit_code);
void AddRecordCommand(CLI::App& app, int& exit_code);
void AddTraceCommand(CLI::App& app, int& exit_code);
void AddImportCommand(CLI::App& app, int& exit_code);

}  // namespace vigil::cli
