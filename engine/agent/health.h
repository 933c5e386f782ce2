// What /healthz and /readyz answer, judged from the agent's snapshot (agent_stats.h).
//  - alive: the agent's loop took a snapshot recently (it does every second), or the agent is
//    still starting (loading the policy set, attaching the sensors); a loop stuck for longer
//    than `max_age` is not alive, and a liveness probe restarts the agent.
//  - ready: the sensors are attached, a policy set is loaded, and every output is writable
//    (its last write succeeded, or none was tried yet). Each unmet condition is one reason.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "agent/agent_stats.h"

namespace vigil::agent {

struct HealthVerdict {
  bool ok = false;
  std::vector<std::string> reasons;  // empty when ok
  std::string Text() const;          // "ok\n", or one reason per line
};

HealthVerdict CheckAlive(const AgentSnapshot& s, std::chrono::steady_clock::time_point now,
                         std::chrono::seconds max_age);
HealthVerdict CheckReady(const AgentSnapshot& s);

}  // namespace vigil::agent
