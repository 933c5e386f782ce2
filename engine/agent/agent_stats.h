// One consistent copy of the agent's counters and gauges: what `vigil status --json` returns
// (StatsJson), what the metrics endpoint renders (metrics_text.h) and what /readyz judges
// (health.h). The agent takes a snapshot in its own loop (every second, for the metrics
// endpoint) or on request (`vigil status`); readers never touch the live counters, so a slow
// reader cannot hold up the event loop.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace vigil::agent {

// Reload latency, as a Prometheus histogram: upper bounds in seconds, counts per bucket (not
// cumulative; the renderer adds them up), the count and the sum of all observations.
struct LatencyHistogram {
  static constexpr std::array<double, 11> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                     0.5,   1.0,  2.5,   5.0,  10.0};
  std::array<uint64_t, kBounds.size() + 1> buckets{};  // the last one: above every bound
  uint64_t count = 0;
  double sum_seconds = 0;
  void Observe(double seconds);
};

struct SinkSnapshot {
  std::string name;  // "stdout", "file:/var/log/vigil/alerts.jsonl", "syslog"
  uint64_t queued = 0;
  uint64_t written = 0;
  uint64_t dropped = 0;    // the queue was full
  uint64_t failed = 0;     // the sink reported an error
  bool writable = true;    // the last write succeeded (or none was tried) and it is not closed
  uint64_t retries = 0;    // attempts made again after a failure (webhook)
  uint64_t in_flight = 0;  // handed to the destination, not confirmed yet (Kafka)
};

struct AgentSnapshot {
  std::string agent_version;
  std::chrono::steady_clock::time_point taken{};
  bool sensors_attached = false;  // the session started: programs attached, readers running
  bool stopping = false;

  // Policy set and reloads.
  uint32_t policy_version = 0;  // 0: none loaded yet
  uint64_t reloads_ok = 0;      // the start-up load included
  uint64_t reloads_failed = 0;
  LatencyHistogram reload_latency;  // reloads after the start-up load

  // Events: delivered to the agent by type, records per ring buffer, the kernel's counters by
  // name (kernel::StatName: drop_main, drop_net, filtered, throttled, ...), decode errors.
  std::map<std::string, uint64_t> events_by_type;
  std::map<std::string, uint64_t> records_by_buffer;
  // The ring reader's waits (kernel::IdleStats): polls, timeouts, idle_entered, idle_woken,
  // idle_late.
  std::map<std::string, uint64_t> reader;
  std::map<std::string, uint64_t> kernel;
  uint64_t decode_errors = 0;
  uint64_t old_version_events = 0;
  uint64_t unknown_version_events = 0;
  uint64_t no_rule_events = 0;  // of a type no loaded rule is on: neither enriched nor evaluated

  // Alerts by (rule, severity), the loss report (rule vigil:loss) included; held back by the
  // throttle; actions.
  std::map<std::pair<std::string, std::string>, uint64_t> alerts;
  uint64_t alerts_suppressed = 0;
  uint64_t loss_reports = 0;
  // The language's correlations and rule throttles (docs/language.md).
  uint64_t correlations_fired = 0;
  uint64_t correlation_evicted = 0;       // keys and partial sequences dropped at a rule's bound
  uint64_t rule_throttled = 0;            // alerts held back by rules' `throttle`
  uint64_t throttle_summaries = 0;        // alerts summarising a closed throttle window
  std::map<std::string, uint64_t> kills;  // by outcome: user, kernel, failed, protected, audited

  // Process tree and pending cache.
  uint64_t processes = 0;
  std::map<std::string, uint64_t> tree;  // proctree::ForEachCounter(TreeStats)
  uint64_t pending_waiting = 0;
  uint64_t pending_capacity = 0;
  std::map<std::string, uint64_t> pending;  // proctree::ForEachCounter(PendingStats)

  std::vector<SinkSnapshot> sinks;
};

// The snapshot as JSON (`vigil status --json`, key "counters"); docs/operations.md lists it.
nlohmann::json StatsJson(const AgentSnapshot& s);

}  // namespace vigil::agent
