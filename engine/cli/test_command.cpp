// vigil test: run the `test` blocks next to the rules through the same compiler and matchers
// as the agent. One line per failing case with its position and the event; exit 1 on any.
#include <iostream>

#include "cli/commands.h"
#include "cli/load_rules.h"
#include "compile/rule_tests.h"
#include "output/record_json.h"
#include "output/terminal_text.h"

namespace vigil::cli {
namespace {

int RunTest(const std::vector<std::string>& paths) {
  auto loaded = LoadAndCompile("test", paths, {}, std::cerr);
  if (!loaded.ok()) return loaded.exit_code;
  const lang::Program& program = *loaded.loaded.program;
  compile::TestRun run = compile::RunRuleTests(program, *loaded.loaded.rules);
  for (const auto& f : run.failures) {
    std::string where = f.loc.valid() ? program.sources.Position(f.loc) : std::string("?");
    std::cout << output::TerminalSafe(where) << ": test " << output::TerminalSafe(f.rule) << ": "
              << output::TerminalSafe(f.problem) << "\n";
    if (f.has_event) {
      std::string json = output::DumpJsonLine(output::RecordToJson(f.event, {.metadata = false}));
      std::cout << "  event: " << output::TerminalSafe(json) << "\n";
    }
  }
  std::cout << "vigil test: " << run.cases << " case" << (run.cases == 1 ? "" : "s") << " for "
            << run.rules << " rule" << (run.rules == 1 ? "" : "s") << ": " << run.passed
            << " passed, " << run.failures.size() << " failed\n";
  return run.failures.empty() ? kExitOk : kExitFindings;
}

}  // namespace

void AddTestCommand(CLI::App& app, int& exit_code) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("test", "Run the test blocks of rule files against their rules");
  cmd->add_option("paths", *paths, "Files, directories (recursive *.vgl) or - for stdin")
      ->required();
  cmd->footer(
      "Exit status: 0 every case passed, 1 a case failed (or the rules have errors),\n"
      "2 usage or I/O problems. Test-case defaults are described in docs/testing.md.");
  cmd->callback([paths, &exit_code] { exit_code = RunTest(*paths); });
}

}  // namespace vigil::cli
