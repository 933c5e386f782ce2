// One event as JSON: the one schema of `vigil trace --format json` and `vigil record`, which
// `vigil replay` reads back (docs/events.md). The rule fields of the event's enriched record in
// the field layout of RecordToJson (output/record_json.h), plus, under "kernel", what the
// kernel's record carried that no rule field holds (the raw syscall and its arguments, the CPU,
// the clock, truncation flags). Every string from the monitored system is escaped when the
// object is written with DumpJsonLine.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "kernel/clock.h"
#include "kernel/event.h"
#include "match/event_record.h"

namespace vigil::output {

// `raw`, when given, is the kernel event the record was enriched from.
nlohmann::json EventToJson(const match::EventRecord& record, const kernel::Event* raw,
                           kernel::ClockSource clock);

// Appends a one-line human-readable form of the raw event (terminal-safe), without a trailing
// newline (`vigil trace --format text`).
void AppendEventText(std::string& out, const kernel::Event& event);

}  // namespace vigil::output
