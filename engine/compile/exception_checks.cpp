#include "compile/exception_checks.h"

#include "compile/rule_compiler.h"
#include "match/test_event.h"

namespace vigil::compile {

void CheckAppendedExceptions(const lang::Program& program, lang::Diagnostics& diags) {
  match::EvalScratch scratch;
  match::EventRecord record;
  for (const lang::ast::RuleDecl* rule : program.rule_order) {
    for (const auto& x : rule->exceptions) {
      if (!x.usable) continue;
      for (const auto& tuple : x.tuples) {
        if (!tuple.appended) continue;
        auto node = CompileCondition(program, tuple.expr);
        if (!node) continue;  // reported where the rule itself was compiled
        match::Matcher matcher(*node);
        for (const lang::ast::TestDecl* test : program.tests) {
          if (test->rule != rule->name) continue;
          for (const auto& tc : test->cases) {
            // A case of several events alerts on its last one.
            const auto& last = tc.events.empty() ? tc : tc.events.back();
            if (!tc.expect_alert || !match::RecordFromTestCase(last, &record)) continue;
            if (!matcher.Eval(record, scratch)) continue;
            auto& d = diags.Add(lang::Code::kExceptionSilencesTest, tuple.loc,
                                "this tuple of exception '" + x.name + "' silences the alert " +
                                    "test case of rule '" + rule->name + "' at " +
                                    program.sources.Position(tc.loc));
            d.notes.push_back(
                "`vigil test` fails that case: narrow the tuple, or replace the "
                "rule with 'override rule " +
                rule->name +
                "' if the case should "
                "be quiet where this file is loaded");
          }
        }
      }
    }
  }
}

}  // namespace vigil::compile
