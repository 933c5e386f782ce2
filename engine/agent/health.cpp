#include "agent/health.h"

#include <fmt/format.h>

namespace vigil::agent {

std::string HealthVerdict::Text() const {
  if (ok) return "ok\n";
  std::string out;
  for (const auto& r : reasons) out += r + "\n";
  return out;
}

HealthVerdict CheckAlive(const AgentSnapshot& s, std::chrono::steady_clock::time_point now,
                         std::chrono::seconds max_age) {
  HealthVerdict v;
  if (s.stopping) {
    v.reasons.push_back("stopping");
  } else if (s.sensors_attached && now - s.taken > max_age) {
    v.reasons.push_back(fmt::format(
        "the agent's loop has not run for {} s (limit {} s)",
        std::chrono::duration_cast<std::chrono::seconds>(now - s.taken).count(), max_age.count()));
  }
  v.ok = v.reasons.empty();
  return v;
}

HealthVerdict CheckReady(const AgentSnapshot& s) {
  HealthVerdict v;
  if (s.stopping) v.reasons.push_back("stopping");
  if (!s.sensors_attached) v.reasons.push_back("sensors not attached yet");
  if (s.policy_version == 0) v.reasons.push_back("no policy set loaded yet");
  for (const auto& k : s.sinks)
    if (!k.writable)
      v.reasons.push_back(
          fmt::format("output {} is not writable ({} alerts failed)", k.name, k.failed));
  v.ok = v.reasons.empty();
  return v;
}

}  // namespace vigil::agent
