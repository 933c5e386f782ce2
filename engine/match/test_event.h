// A `test` case of the language as an event record: the given fields, then what every offline
// event gets (match::CompleteOfflineRecord, shared with `vigil replay`; docs/testing.md):
// evt.type from the case, a successful syscall (evt.retval 0) for syscall event types unless
// evt.retval or evt.failed is given, the derived fields, and every other field absent.
#pragma once

#include <string>

#include "lang/ast.h"
#include "lang/diagnostics.h"
#include "match/event_record.h"
#include "util/result.h"

namespace vigil::match {

// Fills `record` (cleared first). A value the type checker should have rejected, or a field a
// test cannot set directly (proc.aname[N]), is a located finding (V030).
Result<Ok, lang::Diagnostics> RecordFromTestCase(const lang::ast::TestCase& tc,
                                                 EventRecord* record);

}  // namespace vigil::match
