#include "cli/trace_options.h"

#include "bpf/events.h"
#include "kernel/event_types.h"
#include "lang/scope_parser.h"

namespace vigil::cli {

std::string TraceOptionsFromFlags(const std::string& events, const std::string& scope,
                                  uint32_t proc_info_entries, kernel::TraceOptions* out) {
  std::string error;
  if (!kernel::ParseEventTypeList(events, &out->event_types, &error)) return error;
  if (!scope.empty()) {
    auto parsed = lang::ParseScope(scope, &error);
    if (!parsed) return "--scope: " + error;
    out->scope = std::move(*parsed);
    // Softirq network events cannot be attributed to a process: a scoped trace leaves them
    // out unless asked for explicitly (which then fails with the reason).
    if (events.empty() || events == "all") out->event_types.erase(VIGIL_EVT_TCP_STATE);
  }
  out->proc_info_entries = proc_info_entries;
  return "";
}

}  // namespace vigil::cli
