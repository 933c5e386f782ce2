#include <cstdio>

#include "cli/commands.h"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.0.0"
#endif

namespace vigil::cli {

void AddVersionCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("version", "Print vigil's version");
  cmd->callback([&exit_code] {
    std::printf("vigil %s\n", VIGIL_VERSION);
    exit_code = kExitOk;
  });
}

}  // namespace vigil::cli
