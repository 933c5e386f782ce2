// What `vigil trace` and `vigil record` share: the sensor options behind their common flags, and
// how they start.
#pragma once

#include <signal.h>

#include <cstdint>
#include <optional>
#include <string>

#include "kernel/tracer.h"

namespace vigil::cli {

// Fills `out` from --events (a list, or empty/"all"), --scope (a policy scope, compiled to the
// kernel maps) and --proc-info-size. Returns "" on success, otherwise the message for the user.
std::string TraceOptionsFromFlags(const std::string& events, const std::string& scope,
                                  uint32_t proc_info_entries, kernel::TraceOptions* out);

// The start of both commands: logs to stderr as "vigil NAME: ...", refuses to run without root
// (saying why: `root_reason`), fills `options` from the flags (TraceOptionsFromFlags) and blocks
// SIGINT, SIGTERM and SIGUSR1 into `signals` for sigwait, before any thread starts. Returns the
// exit code to stop with, or nullopt to go on.
std::optional<int> StartSensorCommand(const char* name, const char* root_reason,
                                      const std::string& events, const std::string& scope,
                                      uint32_t proc_info_entries, kernel::TraceOptions* options,
                                      sigset_t* signals);

}  // namespace vigil::cli
