// One kernel event as one line of JSON (the `vigil trace --format json` schema, docs/events.md).
// Every string from the monitored system goes through AppendJsonString.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "kernel/clock.h"
#include "kernel/event.h"

namespace vigil::output {

// Appends the event as a JSON object, without a trailing newline. With `context`, the event's
// enriched record (RecordToJson), the process's lineage (proc.parent, proc.ancestors), its
// container, pod (k8s) and the incomplete flag are added from it.
void AppendEventJson(std::string& out, const kernel::Event& event, kernel::ClockSource clock,
                     const nlohmann::json* context = nullptr);

// Appends a one-line human-readable form (terminal-safe), without a trailing newline.
void AppendEventText(std::string& out, const kernel::Event& event);

}  // namespace vigil::output
