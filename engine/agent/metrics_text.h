// The agent's snapshot in the Prometheus text exposition format (version 0.0.4): one HELP and
// TYPE line per metric family, then its samples. Names follow Prometheus' conventions: a
// `vigil_` prefix, counters end in `_total`, durations are in seconds. docs/operations.md lists
// every family; a unit test checks that the list and this renderer agree.
#pragma once

#include <string>

#include "agent/agent_stats.h"

namespace vigil::agent {

// The endpoint's own counters, rendered with the snapshot.
struct MetricsServerCounters {
  uint64_t requests = 0;
  uint64_t rejected = 0;  // connections refused: too many open at once
  uint64_t timeouts = 0;  // connections closed: no complete request, or not read, in time
};

std::string PrometheusText(const AgentSnapshot& s, const MetricsServerCounters& server = {});

// `value` escaped for a label value: backslash, double quote and newline.
std::string EscapeLabelValue(const std::string& value);

}  // namespace vigil::agent
