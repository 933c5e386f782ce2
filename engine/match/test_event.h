// A `test` case of the language as an event record: the given fields, then neutral defaults
// for the rest (docs/testing.md): evt.type from the case, a successful syscall (evt.retval 0)
// unless evt.retval or evt.failed is given, the derived fields (match/derive.h), and every
// other field absent.
#pragma once

#include <string>

#include "lang/ast.h"
#include "match/event_record.h"

namespace vigil::match {

struct TestEventError {
  lang::SourceLoc loc;
  std::string message;
};

// Fills `record` (cleared first). Returns false with *error on a value the type checker should
// have rejected, or on a field a test cannot set directly (proc.aname[N]).
bool RecordFromTestCase(const lang::ast::TestCase& tc, EventRecord* record, TestEventError* error);

}  // namespace vigil::match
