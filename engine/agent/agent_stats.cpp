#include "agent/agent_stats.h"

namespace vigil::agent {

void LatencyHistogram::Observe(double seconds) {
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  ++buckets[i];
  ++count;
  sum_seconds += seconds;
}

nlohmann::json StatsJson(const AgentSnapshot& s) {
  using nlohmann::json;
  json alerts = json::array();
  uint64_t alerts_total = 0;
  for (const auto& [key, n] : s.alerts) {
    alerts.push_back({{"rule", key.first}, {"severity", key.second}, {"count", n}});
    alerts_total += n;
  }
  json buckets = json::array();
  uint64_t cumulative = 0;
  for (size_t i = 0; i < s.reload_latency.buckets.size(); ++i) {
    cumulative += s.reload_latency.buckets[i];
    buckets.push_back(
        {{"le",
          i < LatencyHistogram::kBounds.size() ? json(LatencyHistogram::kBounds[i]) : json("+Inf")},
         {"count", cumulative}});
  }
  uint64_t events_total = 0;
  for (const auto& [type, n] : s.events_by_type) events_total += n;
  json sinks = json::array();
  for (const auto& k : s.sinks)
    sinks.push_back({{"name", k.name},
                     {"queued", k.queued},
                     {"written", k.written},
                     {"dropped", k.dropped},
                     {"failed", k.failed},
                     {"writable", k.writable},
                     {"retries", k.retries},
                     {"in_flight", k.in_flight}});
  return {
      {"agent_version", s.agent_version},
      {"sensors_attached", s.sensors_attached},
      {"policy_version", s.policy_version},
      {"reloads",
       {{"ok", s.reloads_ok},
        {"failed", s.reloads_failed},
        {"latency_seconds",
         {{"count", s.reload_latency.count},
          {"sum", s.reload_latency.sum_seconds},
          {"buckets", buckets}}}}},
      {"events",
       {{"total", events_total},
        {"by_type", s.events_by_type},
        {"records_by_buffer", s.records_by_buffer},
        {"reader", s.reader},
        {"decode_errors", s.decode_errors},
        {"old_version", s.old_version_events},
        {"unknown_version", s.unknown_version_events},
        {"no_rule", s.no_rule_events}}},
      {"kernel", s.kernel},
      {"alerts",
       {{"total", alerts_total},
        {"by_rule", alerts},
        {"suppressed", s.alerts_suppressed},
        {"loss_reports", s.loss_reports},
        {"rule_throttled", s.rule_throttled},
        {"throttle_summaries", s.throttle_summaries}}},
      {"correlations", {{"fired", s.correlations_fired}, {"evicted", s.correlation_evicted}}},
      {"kills", s.kills},
      {"process_tree", {{"processes", s.processes}, {"counters", s.tree}}},
      {"pending",
       {{"waiting", s.pending_waiting}, {"capacity", s.pending_capacity}, {"counters", s.pending}}},
      {"sinks", sinks},
  };
}

}  // namespace vigil::agent
