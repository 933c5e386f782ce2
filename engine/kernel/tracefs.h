// tracefs: where the tracepoints are. vigil mounts it itself when the host has not.
#pragma once

#include <string>

#include "util/result.h"

namespace vigil::kernel {

// Returns the tracefs root (normally /sys/kernel/tracing), mounting tracefs there if needed.
Result<std::string> EnsureTracefs();

// Whether tracepoint category:name exists under the tracefs root.
bool TracepointExists(const std::string& root, const std::string& category,
                      const std::string& name);

}  // namespace vigil::kernel
