// The front end's entry point: load files, parse them, run the passes in order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lang/load_sources.h"
#include "lang/program.h"

namespace vigil::lang {

// Parses every file already added to `program.sources` and runs all passes, in the order
// written in pipeline.cpp. Every finding goes to `diags`, sorted; a file that could not be
// read (SourceFile::unread, see LoadSources) is one V044 finding and is not parsed.
void Analyze(Program& program, Diagnostics& diags);

}  // namespace vigil::lang
