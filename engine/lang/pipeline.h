// The front end's entry point: load files, parse them, run the passes in order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lang/program.h"

namespace vigil::lang {

// Parses every file already added to `program.sources` and runs all passes, in the order
// written in pipeline.cpp. Every finding goes to `diags`, sorted.
void Analyze(Program& program, Diagnostics& diags);

struct LoadError {
  std::string path;
  std::string message;  // "No such file or directory", "no .vgl files found", ...
};

// Adds the files named by `paths` to `program.sources`: a file, a directory (every *.vgl
// below it, recursively, in sorted order) or "-" for standard input.
std::vector<LoadError> LoadSources(const std::vector<std::string>& paths, Program& program);

}  // namespace vigil::lang
