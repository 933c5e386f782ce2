// Renders front-end findings for people (text with the source line and a caret), for
// programs (JSON) and for code-scanning UIs (SARIF 2.1.0).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "lang/diagnostics.h"
#include "lang/source.h"

namespace vigil::output {

struct LintSummary {
  size_t files = 0;
  size_t rules = 0;
  size_t policies = 0;
};

// One finding on one line, "path:line:col: error[V019]: message": the head of each finding in
// the text form, and how the agent reports a refused reload.
std::string DiagnosticLine(const lang::SourceSet& sources, const lang::Diagnostic& d);
// The errors among `diags`, one DiagnosticLine each; ErrorText joins them with newlines.
std::vector<std::string> ErrorLines(const lang::SourceSet& sources, const lang::Diagnostics& diags);
std::string ErrorText(const lang::SourceSet& sources, const lang::Diagnostics& diags);

void RenderLintText(const lang::SourceSet& sources, const lang::Diagnostics& diags,
                    const LintSummary& summary, std::ostream& out);
void RenderLintJson(const lang::SourceSet& sources, const lang::Diagnostics& diags,
                    const LintSummary& summary, std::ostream& out);
void RenderLintSarif(const lang::SourceSet& sources, const lang::Diagnostics& diags,
                     std::ostream& out);

}  // namespace vigil::output
