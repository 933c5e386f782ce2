// Writing an imported Sigma rule as .vgl text: a comment with its origin and approximations, the
// rule with its provenance (origin, author, license, references), severity from `level`, MITRE
// ids from `attack.tNNNN` tags, and its generated test block.
#pragma once

#include <string>
#include <vector>

#include "importer/sigma/sigma_rule.h"
#include "util/result.h"

namespace vigil::importer::sigma {

// Sigma's level to a vigil severity (informational -> info; unknown -> medium).
std::string SeverityFromLevel(const std::string& level);
// attack.t1059.004 -> T1059.004; other tags give nothing.
std::vector<std::string> MitreIds(const std::vector<std::string>& tags);
// attack.execution -> execution (ATT&CK tactics as vigil tags).
std::vector<std::string> TacticTags(const std::vector<std::string>& tags);

// The rule and its test block. An error when no alert case can be built (the rule would be
// untested).
Result<std::string> WriteRule(const SigmaRule& rule, const std::string& vgl_name);

// `{proc.exe} ...` for the rule's event types; braces in `title` doubled.
std::string OutputTemplate(const SigmaRule& rule);

// The test cases, each `alert TYPE { ... }` / `quiet TYPE { ... }` on its own line.
std::vector<std::string> TestLines(const Expr& condition, const std::vector<std::string>& types);

}  // namespace vigil::importer::sigma
