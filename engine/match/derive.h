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

}  // namespace vigil::match
