// Fields that follow from other fields: file.name and file.dir from file.path, the open.*
// booleans from open.flags, evt.failed from evt.retval, proc.cmdline from proc.args, the
// parent's fields and proc.depth from the ancestor lists, evt.type from the record's type.
// The agent's enrichment produces them itself; test cases and replayed events may give only
// the source field, so `vigil test` and `vigil replay` complete the record with this.
#pragma once

#include "match/event_record.h"

namespace vigil::match {

// Sets every derivable field that is absent, for the record's event type. Never overwrites.
void DeriveFields(EventRecord& record);

// The one rule for what an offline event holds beyond the fields it gives: a `vigil test`
// case and a `vigil replay` line both go through it (docs/testing.md, "What a test event
// holds"; docs/replay.md). An event of a syscall type (origin SYSCALL in bpf/vocabulary.h)
// that gives neither evt.retval nor evt.failed is a successful call, evt.retval 0: the agent's
// events of those types always carry the kernel's return value, so a recorded event is never
// changed. Lifecycle (exec, fork, exit) and tcp_state events get no return value, as in the
// agent. Then DeriveFields.
void CompleteOfflineRecord(EventRecord& record);

}  // namespace vigil::match
