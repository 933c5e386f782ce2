// libFuzzer target: the language front end. The input is one rule file: parse, every analysis
// pass (lang::Analyze), the findings rendered in every format and, when the file has no error,
// the rule compiler and the file's own `test` blocks. The same bytes are also parsed as a
// `--scope` expression. Nothing may crash, leak, hang or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "compile/exception_checks.h"
#include "compile/rule_compiler.h"
#include "compile/rule_tests.h"
#include "lang/pipeline.h"
#include "lang/scope_parser.h"
#include "output/lint_report.h"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);

  lang::Program program;
  program.sources.Add("fuzz.vgl", text);
  lang::Diagnostics diags;
  lang::Analyze(program, diags);
  output::LintSummary summary{program.sources.size(), program.rule_order.size(),
                              program.policy_order.size()};
  std::ostringstream sink;
  output::RenderLintText(program.sources, diags, summary, sink);
  output::RenderLintJson(program.sources, diags, summary, sink);
  output::RenderLintSarif(program.sources, diags, sink);
  if (diags.errors() == 0) {
    auto rules = compile::CompileRules(program, {});
    if (rules) {
      compile::RunRuleTests(program, **rules);
      compile::CheckAppendedExceptions(program, diags);
    }
  }

  lang::SourceSet scope_source;
  uint32_t id = scope_source.Add("--scope", std::move(text));
  (void)lang::ParseScope(scope_source, id);
  return 0;
}
