// `vigil import`: foreign rule sets (Sigma, Falco) to vigil source text plus a per-rule report.
// The result is .vgl text that `vigil lint` accepts; the report says, for every rule read, what
// happened to it (docs/import.md).
#pragma once

#include <string>
#include <vector>

#include "importer/import_report.h"
#include "util/result.h"

namespace vigil::importer {

struct ImportOptions {
  std::vector<std::string> inputs;  // files, or folders searched recursively for *.yml / *.yaml
};

struct ImportResult {
  std::string vgl;  // the generated rule file (rules, lists, macros, tests), with provenance
  ImportReport report;
};

// An error only when the inputs cannot be read at all; a rule that cannot be converted is an
// entry in the report, not an error.
Result<ImportResult> ImportSigma(const ImportOptions& options);
Result<ImportResult> ImportFalco(const ImportOptions& options);

}  // namespace vigil::importer
