// The sensor options behind the flags `vigil trace` and `vigil record` share.
#pragma once

#include <cstdint>
#include <string>

#include "kernel/tracer.h"

namespace vigil::cli {

// Fills `out` from --events (a list, or empty/"all"), --scope (a policy scope, compiled to the
// kernel maps) and --proc-info-size. Returns "" on success, otherwise the message for the user.
std::string TraceOptionsFromFlags(const std::string& events, const std::string& scope,
                                  uint32_t proc_info_entries, kernel::TraceOptions* out);

}  // namespace vigil::cli
