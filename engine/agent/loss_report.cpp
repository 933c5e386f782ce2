#include "agent/loss_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "output/alert.h"
#include "output/record_json.h"
#include "output/terminal_text.h"

namespace vigil::agent {

LossCounters LossCounters::Since(const LossCounters& b) const {
  // Counters only grow; a smaller value (a restarted sink) counts from zero.
  auto d = [](uint64_t now, uint64_t before) { return now >= before ? now - before : now; };
  return {.ring_full = d(ring_full, b.ring_full),
          .inflight_full = d(inflight_full, b.inflight_full),
          .throttled = d(throttled, b.throttled),
          .undecodable = d(undecodable, b.undecodable),
          .alerts_suppressed = d(alerts_suppressed, b.alerts_suppressed),
          .alerts_dropped = d(alerts_dropped, b.alerts_dropped),
          .alerts_failed = d(alerts_failed, b.alerts_failed),
          .correlation_evicted = d(correlation_evicted, b.correlation_evicted)};
}

bool LossCounters::Any() const {
  return ring_full || inflight_full || throttled || undecodable || alerts_suppressed ||
         alerts_dropped || alerts_failed || correlation_evicted;
}

LossReport::LossReport(std::chrono::steady_clock::duration min_interval, const LossCounters& start,
                       std::chrono::steady_clock::time_point now)
    : min_interval_(min_interval), reported_(start), last_(now) {}

void LossReport::AddThrottled(std::vector<ThrottledReportEntry> entries) {
  for (auto& e : entries) {
    const uint64_t key = e.entity ? e.entity : e.pid;
    auto it = throttled_.find(key);
    if (it != throttled_.end()) {
      it->second.events += e.events;
      if (it->second.name.empty()) it->second.name = e.name;
      if (it->second.exe.empty()) it->second.exe = e.exe;
    } else if (throttled_.size() < kMaxCollected) {
      throttled_.emplace(key, std::move(e));
    }
  }
}

void LossReport::AddSuppressed(std::vector<SuppressedReportEntry> entries) {
  for (auto& e : entries) {
    auto key = std::make_pair(e.rule, e.pid);
    auto it = suppressed_.find(key);
    if (it != suppressed_.end())
      it->second.alerts += e.alerts;
    else if (suppressed_.size() < kMaxCollected)
      suppressed_.emplace(std::move(key), std::move(e));
  }
}

namespace {

std::string ProcessLabel(std::string_view name, uint32_t pid) {
  return name.empty() ? fmt::format("pid {}", pid) : fmt::format("{} (pid {})", name, pid);
}

template <class T, class Count>
std::vector<T> Largest(const auto& collected, Count count) {
  std::vector<T> out;
  out.reserve(collected.size());
  for (const auto& kv : collected) out.push_back(kv.second);
  std::stable_sort(out.begin(), out.end(),
                   [&](const T& a, const T& b) { return count(a) > count(b); });
  return out;
}

}  // namespace

std::optional<LossAlert> LossReport::Due(const LossCounters& now,
                                         std::chrono::steady_clock::time_point at, uint64_t wall_ns,
                                         uint64_t boottime_ns, bool final,
                                         const output::AlertEnvelope& envelope) {
  const LossCounters lost = now.Since(reported_);
  if (!lost.Any()) return std::nullopt;
  const bool only_outputs = !lost.ring_full && !lost.inflight_full && !lost.throttled &&
                            !lost.undecodable && !lost.alerts_suppressed &&
                            !lost.correlation_evicted;
  if (only_outputs && lost.alerts_dropped + lost.alerts_failed <= own_lines_) return std::nullopt;
  if (!final && any_report_ && at - last_ < min_interval_) return std::nullopt;
  const double seconds = std::chrono::duration<double>(at - last_).count();

  auto throttled =
      Largest<ThrottledReportEntry>(throttled_, [](const auto& e) { return e.events; });
  auto suppressed =
      Largest<SuppressedReportEntry>(suppressed_, [](const auto& e) { return e.alerts; });

  // Uncontrolled loss (a full buffer or queue, a failed write) is high; events held back on
  // purpose are medium; only repeated alerts held back is low.
  LossAlert alert;
  if (lost.ring_full || lost.inflight_full || lost.undecodable || lost.alerts_dropped ||
      lost.alerts_failed)
    alert.severity = lang::ast::Severity::kHigh;
  else if (lost.throttled || lost.correlation_evicted)
    alert.severity = lang::ast::Severity::kMedium;
  else
    alert.severity = lang::ast::Severity::kLow;

  std::vector<std::string> parts;
  if (lost.ring_full)
    parts.push_back(fmt::format("{} events (kernel ring buffer full)", lost.ring_full));
  if (lost.inflight_full)
    parts.push_back(fmt::format("{} events (kernel inflight map full)", lost.inflight_full));
  if (lost.undecodable) parts.push_back(fmt::format("{} undecodable records", lost.undecodable));
  if (lost.throttled) {
    std::string p =
        fmt::format("{} events throttled (over the per-process budget)", lost.throttled);
    for (size_t i = 0; i < throttled.size() && i < 3; ++i)
      p += fmt::format("{} {} {}", i ? "," : ":", ProcessLabel(throttled[i].name, throttled[i].pid),
                       throttled[i].events);
    if (throttled.size() > 3) p += fmt::format(", and {} more processes", throttled.size() - 3);
    parts.push_back(std::move(p));
  }
  if (lost.alerts_suppressed) {
    std::string p = fmt::format("{} alerts suppressed (repeats)", lost.alerts_suppressed);
    for (size_t i = 0; i < suppressed.size() && i < 3; ++i) {
      const auto& s = suppressed[i];
      p += fmt::format("{} {} for {} {}", i ? "," : ":", s.rule.empty() ? "other rules" : s.rule,
                       s.rule.empty() ? "other processes" : ProcessLabel(s.name, s.pid), s.alerts);
    }
    if (suppressed.size() > 3) p += fmt::format(", and {} more", suppressed.size() - 3);
    parts.push_back(std::move(p));
  }
  if (lost.alerts_dropped)
    parts.push_back(fmt::format("{} alerts dropped (output queue full)", lost.alerts_dropped));
  if (lost.correlation_evicted)
    parts.push_back(fmt::format("{} correlation states evicted (a rule's max_keys or max_pending)",
                                lost.correlation_evicted));
  if (lost.alerts_failed)
    parts.push_back(fmt::format("{} alerts failed to write", lost.alerts_failed));
  std::string output = fmt::format("lost in the last {:.1f} s: ", seconds);
  for (size_t i = 0; i < parts.size(); ++i) output += (i ? "; " : "") + parts[i];

  nlohmann::json loss = {
      {"seconds", std::round(seconds * 1000) / 1000}, {"events_ring_full", lost.ring_full},
      {"events_inflight_full", lost.inflight_full},   {"events_undecodable", lost.undecodable},
      {"events_throttled", lost.throttled},           {"alerts_suppressed", lost.alerts_suppressed},
      {"alerts_dropped", lost.alerts_dropped},        {"alerts_failed", lost.alerts_failed}};
  loss["correlation_evicted"] = lost.correlation_evicted;
  nlohmann::json tp = nlohmann::json::array();
  for (size_t i = 0; i < throttled.size() && i < kMaxListed; ++i) {
    nlohmann::json e = {{"pid", throttled[i].pid}, {"events", throttled[i].events}};
    if (!throttled[i].name.empty()) e["name"] = throttled[i].name;
    if (!throttled[i].exe.empty()) e["exe"] = throttled[i].exe;
    tp.push_back(std::move(e));
  }
  loss["throttled_processes"] = std::move(tp);
  nlohmann::json sp = nlohmann::json::array();
  for (size_t i = 0; i < suppressed.size() && i < kMaxListed; ++i) {
    const auto& s = suppressed[i];
    nlohmann::json e = {{"alerts", s.alerts}};
    if (!s.rule.empty()) {
      e["rule"] = s.rule;
      e["pid"] = s.pid;
      if (!s.name.empty()) e["name"] = s.name;
    }
    sp.push_back(std::move(e));
  }
  loss["suppressed"] = std::move(sp);

  const char* severity = lang::ast::SeverityName(alert.severity);
  nlohmann::json j = {{"time", output::Rfc3339Nanos(wall_ns)},
                      {"boottime", boottime_ns},
                      {"rule", kRuleName},
                      {"source", "agent"},
                      {"severity", severity},
                      {"action", "alert"},
                      {"policy", ""},
                      {"policies", nlohmann::json::array()},
                      {"mitre", nlohmann::json::array()},
                      {"tags", {"vigil"}},
                      {"output", output},
                      {"loss", std::move(loss)}};
  output::AddEnvelope(j, envelope);
  alert.json = output::DumpJsonLine(j);
  nlohmann::json falco_fields;
  for (const auto& [key, value] : j["loss"].items()) falco_fields["loss." + key] = value;
  alert.falco = output::DumpJsonLine({{"uuid", envelope.id},
                                      {"hostname", envelope.hostname},
                                      {"output", output},
                                      {"priority", output::FalcoPriority(alert.severity)},
                                      {"rule", kRuleName},
                                      {"time", output::Rfc3339Nanos(wall_ns)},
                                      {"source", "vigil"},
                                      {"tags", {"vigil"}},
                                      {"output_fields", std::move(falco_fields)}});
  alert.text = fmt::format("{} {} {} [] {}", output::Rfc3339Nanos(wall_ns), severity, kRuleName,
                           output::TerminalSafe(output));

  reported_ = now;
  own_lines_ = 0;
  last_ = at;
  any_report_ = true;
  throttled_.clear();
  suppressed_.clear();
  ++reports_;
  return alert;
}

}  // namespace vigil::agent
