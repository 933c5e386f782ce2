// The event JSON (record_json.h, docs/events.md "Layout") written straight into a buffer: the
// same bytes as DumpJsonLine(RecordToJson(r, options)), without building nlohmann values. The
// key layout (nested objects by the fields' dotted names, keys in byte order at every level) is
// built once from the field registry.
#pragma once

#include <string>

#include "match/event_record.h"
#include "output/record_json.h"

namespace vigil::output {

void AppendRecordJson(const match::EventRecord& r, const RecordJsonOptions& options,
                      std::string* out);

}  // namespace vigil::output
