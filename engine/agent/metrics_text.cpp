#include "agent/metrics_text.h"

#include <fmt/format.h>

#include <initializer_list>
#include <utility>

namespace vigil::agent {
namespace {

using Labels = std::initializer_list<std::pair<const char*, std::string>>;

class Writer {
 public:
  void Family(const char* name, const char* type, const char* help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name,
                   type);
  }
  template <class V>
  void Sample(const std::string& name, Labels labels, V value) {
    out_ += name;
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        fmt::format_to(std::back_inserter(out_), "{}=\"{}\"", k, EscapeLabelValue(v));
      }
      out_ += '}';
    }
    fmt::format_to(std::back_inserter(out_), " {}\n", value);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

uint64_t Get(const std::map<std::string, uint64_t>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

// Kernel counters that have a family of their own; the others go to vigil_kernel_stat_total.
bool HasOwnFamily(const std::string& stat) {
  return stat == "drop_main" || stat == "drop_net" || stat == "filtered" || stat == "throttled" ||
         stat == "inflight_full";
}

}  // namespace

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string PrometheusText(const AgentSnapshot& s, const MetricsServerCounters& server) {
  Writer w;
  w.Family("vigil_build_info", "gauge", "The agent's version (always 1).");
  w.Sample("vigil_build_info", {{"version", s.agent_version}}, 1);
  w.Family("vigil_sensors_attached", "gauge",
           "1 once the BPF programs are attached and the ring buffers read.");
  w.Sample("vigil_sensors_attached", {}, s.sensors_attached ? 1 : 0);

  w.Family("vigil_policy_version", "gauge", "Version of the active policy set (0: none yet).");
  w.Sample("vigil_policy_version", {}, s.policy_version);
  w.Family("vigil_reloads_total", "counter",
           "Policy set loads by result, the one at start-up included.");
  w.Sample("vigil_reloads_total", {{"result", "ok"}}, s.reloads_ok);
  w.Sample("vigil_reloads_total", {{"result", "failed"}}, s.reloads_failed);
  w.Family("vigil_reload_duration_seconds", "histogram",
           "Time from a reload's trigger to the new set being active (or refused); the "
           "start-up load is not counted.");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < s.reload_latency.buckets.size(); ++i) {
    cumulative += s.reload_latency.buckets[i];
    w.Sample("vigil_reload_duration_seconds_bucket",
             {{"le", i < LatencyHistogram::kBounds.size()
                         ? fmt::format("{}", LatencyHistogram::kBounds[i])
                         : std::string("+Inf")}},
             cumulative);
  }
  w.Sample("vigil_reload_duration_seconds_sum", {}, s.reload_latency.sum_seconds);
  w.Sample("vigil_reload_duration_seconds_count", {}, s.reload_latency.count);

  w.Family("vigil_events_total", "counter", "Events delivered to the agent, by event type.");
  for (const auto& [type, n] : s.events_by_type)
    w.Sample("vigil_events_total", {{"type", type}}, n);
  w.Family("vigil_ring_records_total", "counter", "Records read from each ring buffer.");
  for (const auto& [buffer, n] : s.records_by_buffer)
    w.Sample("vigil_ring_records_total", {{"buffer", buffer}}, n);
  w.Family("vigil_ring_reader_total", "counter",
           "The ring reader's waits (polls; timeouts: those that timed out), times it went idle "
           "(idle_entered: it sleeps until "
           "the kernel wakes it), and how it left: woken by the kernel (idle_woken) or by its "
           "long timeout with records that came without a wakeup (idle_late).");
  for (const auto& [what, n] : s.reader) w.Sample("vigil_ring_reader_total", {{"what", what}}, n);
  w.Family("vigil_events_kernel_filtered_total", "counter",
           "Events the kernel discarded because no policy's scope selected them.");
  w.Sample("vigil_events_kernel_filtered_total", {}, Get(s.kernel, "filtered"));
  w.Family("vigil_events_dropped_total", "counter",
           "Events lost or not sent, by buffer and cause (ring_full: the ring buffer was full; "
           "full: no room to keep a syscall's entry; throttled: the process was over "
           "--process-event-rate; decode_error: a record user space could not decode).");
  w.Sample("vigil_events_dropped_total", {{"buffer", "main"}, {"cause", "ring_full"}},
           Get(s.kernel, "drop_main"));
  w.Sample("vigil_events_dropped_total", {{"buffer", "net"}, {"cause", "ring_full"}},
           Get(s.kernel, "drop_net"));
  w.Sample("vigil_events_dropped_total", {{"buffer", "inflight"}, {"cause", "full"}},
           Get(s.kernel, "inflight_full"));
  w.Sample("vigil_events_dropped_total", {{"buffer", "main"}, {"cause", "throttled"}},
           Get(s.kernel, "throttled"));
  w.Sample("vigil_events_dropped_total", {{"buffer", "any"}, {"cause", "decode_error"}},
           s.decode_errors);
  w.Family("vigil_kernel_stat_total", "counter",
           "The BPF programs' other counters, by name (docs/agent.md, \"Counters\").");
  for (const auto& [stat, n] : s.kernel)
    if (!HasOwnFamily(stat)) w.Sample("vigil_kernel_stat_total", {{"stat", stat}}, n);
  w.Family("vigil_events_policy_version_total", "counter",
           "Events judged by an older policy version than the active one (old), or carrying a "
           "version no longer known (unknown).");
  w.Sample("vigil_events_policy_version_total", {{"version", "old"}}, s.old_version_events);
  w.Sample("vigil_events_policy_version_total", {{"version", "unknown"}}, s.unknown_version_events);
  w.Family("vigil_events_no_rule_total", "counter",
           "Events of a type no rule of their policy version is on: neither enriched nor "
           "evaluated.");
  w.Sample("vigil_events_no_rule_total", {}, s.no_rule_events);

  w.Family("vigil_alerts_total", "counter",
           "Alerts emitted, by rule and severity (the loss report is rule vigil:loss).");
  for (const auto& [key, n] : s.alerts)
    w.Sample("vigil_alerts_total", {{"rule", key.first}, {"severity", key.second}}, n);
  w.Family("vigil_alerts_suppressed_total", "counter",
           "Alerts held back by the alert throttle (--alert-limit, --rule-alert-limit).");
  w.Sample("vigil_alerts_suppressed_total", {}, s.alerts_suppressed);
  w.Family("vigil_alerts_rule_throttled_total", "counter",
           "Alerts held back by rules' own throttle (the language's `throttle`).");
  w.Sample("vigil_alerts_rule_throttled_total", {}, s.rule_throttled);
  w.Family("vigil_alerts_throttle_summaries_total", "counter",
           "Alerts that summarise a closed throttle window (counted in vigil_alerts_total too).");
  w.Sample("vigil_alerts_throttle_summaries_total", {}, s.throttle_summaries);
  w.Family("vigil_correlations_fired_total", "counter",
           "Correlations (count, sequence, any order) that fired.");
  w.Sample("vigil_correlations_fired_total", {}, s.correlations_fired);
  w.Family(
      "vigil_correlation_states_evicted_total", "counter",
      "Correlation keys and partial sequences dropped at a rule's bound (max_keys, max_pending).");
  w.Sample("vigil_correlation_states_evicted_total", {}, s.correlation_evicted);
  w.Family("vigil_loss_reports_total", "counter", "Loss reports (rule vigil:loss) emitted.");
  w.Sample("vigil_loss_reports_total", {}, s.loss_reports);
  w.Family("vigil_kills_total", "counter",
           "Outcomes of `action kill`: user, kernel, failed, protected, audited.");
  for (const auto& [outcome, n] : s.kills) w.Sample("vigil_kills_total", {{"outcome", outcome}}, n);

  w.Family("vigil_process_tree_processes", "gauge",
           "Processes in the process tree, live and recently exited.");
  w.Sample("vigil_process_tree_processes", {}, s.processes);
  w.Family("vigil_process_tree_operations_total", "counter",
           "The process tree's counters, by name (forks, execs, refused_full, ...).");
  for (const auto& [name, n] : s.tree)
    w.Sample("vigil_process_tree_operations_total", {{"counter", name}}, n);
  w.Family("vigil_pending_events", "gauge",
           "Events waiting in the pending cache for their process's context.");
  w.Sample("vigil_pending_events", {}, s.pending_waiting);
  w.Family("vigil_pending_capacity", "gauge", "Size of the pending cache.");
  w.Sample("vigil_pending_capacity", {}, s.pending_capacity);
  w.Family("vigil_pending_operations_total", "counter",
           "The pending cache's counters, by name (pending_resolved, pending_expired, ...).");
  for (const auto& [name, n] : s.pending)
    w.Sample("vigil_pending_operations_total", {{"counter", name}}, n);

  w.Family("vigil_sink_queue_depth", "gauge", "Alerts queued for an output, not written yet.");
  for (const auto& k : s.sinks) w.Sample("vigil_sink_queue_depth", {{"sink", k.name}}, k.queued);
  w.Family("vigil_sink_alerts_written_total", "counter", "Alerts an output wrote.");
  for (const auto& k : s.sinks)
    w.Sample("vigil_sink_alerts_written_total", {{"sink", k.name}}, k.written);
  w.Family("vigil_sink_alerts_dropped_total", "counter",
           "Alerts not queued for an output: its queue was full (--sink-queue).");
  for (const auto& k : s.sinks)
    w.Sample("vigil_sink_alerts_dropped_total", {{"sink", k.name}}, k.dropped);
  w.Family("vigil_sink_alerts_failed_total", "counter", "Alerts an output failed to write.");
  for (const auto& k : s.sinks)
    w.Sample("vigil_sink_alerts_failed_total", {{"sink", k.name}}, k.failed);
  w.Family("vigil_sink_retries_total", "counter",
           "Deliveries an output tried again after a failure (webhook).");
  for (const auto& k : s.sinks) w.Sample("vigil_sink_retries_total", {{"sink", k.name}}, k.retries);
  w.Family("vigil_sink_alerts_in_flight", "gauge",
           "Alerts handed to the destination and not confirmed yet (Kafka delivery reports).");
  for (const auto& k : s.sinks)
    w.Sample("vigil_sink_alerts_in_flight", {{"sink", k.name}}, k.in_flight);
  w.Family("vigil_sink_writable", "gauge",
           "1 when an output's last write succeeded (or none was tried yet).");
  for (const auto& k : s.sinks)
    w.Sample("vigil_sink_writable", {{"sink", k.name}}, k.writable ? 1 : 0);

  w.Family("vigil_metrics_requests_total", "counter", "Requests to the metrics endpoint.");
  w.Sample("vigil_metrics_requests_total", {}, server.requests);
  w.Family("vigil_metrics_connections_rejected_total", "counter",
           "Connections to the metrics endpoint closed unanswered, by reason (too_many: over "
           "the bound of open connections; timeout: no complete request in time).");
  w.Sample("vigil_metrics_connections_rejected_total", {{"reason", "too_many"}}, server.rejected);
  w.Sample("vigil_metrics_connections_rejected_total", {{"reason", "timeout"}}, server.timeouts);
  return w.Take();
}

}  // namespace vigil::agent
