// libFuzzer target: the language front end. The input is one rule file: parse, every analysis
// pass (lang::Analyze), the findings rendered in every format and, when the file has no error,
// the rule compiler and the file's own `test` blocks. The same bytes are also parsed as a
// `--scope` expression. Nothing may crash, leak, hang or trip a sanitizer. And the hand-made token
// scanner must give the generated lexer's tokens (lang::ScanDifference), or give up exactly
// where that lexer finds a lexical problem.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "compile/exception_checks.h"
#include "compile/rule_compiler.h"
#include "compile/rule_tests.h"
#include "lang/parser.h"
#include "lang/pipeline.h"
#include "lang/scope_parser.h"
#include "lang/token_scanner.h"
#include "output/lint_report.h"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);

  {
    std::string valid = text;
    lang::SanitizeUtf8(valid);
    if (const std::string difference = lang::ScanDifference(valid); !difference.empty()) {
      std::fprintf(stderr, "token scanner: %s\n", difference.c_str());
      std::abort();
    }
  }

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
