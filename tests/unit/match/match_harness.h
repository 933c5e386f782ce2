// Helpers for the matcher tests: compile a rule from source text through the real front end
// and compiler, and build event records field by field.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "compile/rule_compiler.h"
#include "lang/pipeline.h"
#include "match/derive.h"
#include "match/event_record.h"
#include "match/rule_set.h"

namespace vigil::testing {

struct CompiledSource {
  std::unique_ptr<lang::Program> program = std::make_unique<lang::Program>();
  lang::Diagnostics diags;
  std::unique_ptr<match::RuleSet> rules;
};

// Compiles files named f0.vgl, f1.vgl, ... (one file: test.vgl) into one program; a finding
// at error level fails the test.
inline CompiledSource CompileFiles(const std::vector<std::string>& texts) {
  CompiledSource c;
  for (size_t i = 0; i < texts.size(); ++i)
    c.program->sources.Add(texts.size() == 1 ? "test.vgl" : "f" + std::to_string(i) + ".vgl",
                           texts[i]);
  lang::Analyze(*c.program, c.diags);
  for (const auto& d : c.diags.all())
    if (d.level == lang::Level::kError) ADD_FAILURE() << "front end: " << d.message;
  auto compiled = compile::CompileRules(*c.program, {});
  if (compiled) {
    c.rules = std::move(*compiled);
  } else {
    for (const auto& d : compiled.error().all())
      ADD_FAILURE() << "compiler: " << d.loc.line << ":" << d.loc.column << ": " << d.message;
  }
  return c;
}

inline CompiledSource CompileSource(const std::string& text) {
  return CompileFiles({text});
}

// A rule `r` on `on` with condition `when`, plus optional extra declarations.
inline CompiledSource CompileRule(const std::string& on, const std::string& when,
                                  const std::string& extra = "") {
  return CompileSource(extra + "\nrule r {\n  desc \"d\"\n  severity low\n  on " + on +
                       "\n  when " + when + "\n  output \"x\"\n}\n");
}

inline lang::FieldId F(const char* name) {
  auto id = lang::FieldByName(name);
  EXPECT_TRUE(id.has_value()) << name;
  return *id;
}

// Evaluates rule "r" of `c` against `r` (derived fields completed first).
inline bool Fires(const CompiledSource& c, match::EventRecord r) {
  match::DeriveFields(r);
  auto idx = c.rules->FindRule("r");
  EXPECT_TRUE(idx.has_value());
  match::EvalScratch scratch;
  return idx && c.rules->EvaluateRule(*idx, r, scratch);
}

inline match::EventRecord Event(lang::EventType type) {
  match::EventRecord r;
  r.set_type(type);
  return r;
}

}  // namespace vigil::testing
