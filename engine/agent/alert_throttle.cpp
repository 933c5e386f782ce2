#include "agent/alert_throttle.h"

#include <algorithm>

namespace vigil::agent {

bool AlertThrottle::Take(Window& w, uint32_t limit, uint64_t now_ns) const {
  // A new window when the old one ended (or the event is older than it: events of one process
  // arrive in order, but different CPUs' may not).
  if (now_ns < w.start_ns || now_ns - w.start_ns >= options_.window_ns) {
    w.start_ns = now_ns;
    w.count = 0;
  }
  if (limit == 0 || w.count < limit) {
    ++w.count;
    return true;
  }
  return false;
}

void AlertThrottle::Sweep(uint64_t now_ns) {
  std::erase_if(per_process_, [&](const auto& kv) {
    const Window& w = kv.second;
    return now_ns < w.start_ns || now_ns - w.start_ns >= options_.window_ns;
  });
}

void AlertThrottle::CountSuppressed(std::string_view rule, uint64_t entity, uint32_t pid) {
  ++stats_.suppressed;
  Key key{std::string(rule), entity};
  auto it = suppressed_.find(key);
  if (it == suppressed_.end()) {
    if (suppressed_.size() >= options_.max_suppressed_keys) {
      key = Key{"", 0};  // the "other" bucket
      pid = 0;
    }
    it = suppressed_.try_emplace(std::move(key), Suppressed{pid, 0}).first;
  }
  ++it->second.alerts;
}

bool AlertThrottle::Admit(std::string_view rule, uint64_t entity, uint32_t pid, uint64_t now_ns) {
  if (options_.per_process != 0) {
    Key key{std::string(rule), entity};
    auto it = per_process_.find(key);
    if (it == per_process_.end()) {
      if (per_process_.size() >= options_.max_keys) Sweep(now_ns);
      if (per_process_.size() >= options_.max_keys) {
        ++stats_.untracked;
        ++stats_.admitted;
        return true;
      }
      it = per_process_.try_emplace(std::move(key)).first;
    }
    if (!Take(it->second, options_.per_process, now_ns)) {
      CountSuppressed(rule, entity, pid);
      return false;
    }
  }
  if (options_.per_rule != 0) {
    auto it = per_rule_.find(std::string(rule));
    if (it == per_rule_.end()) it = per_rule_.try_emplace(std::string(rule)).first;
    if (!Take(it->second, options_.per_rule, now_ns)) {
      CountSuppressed(rule, entity, pid);
      return false;
    }
  }
  ++stats_.admitted;
  return true;
}

std::vector<SuppressedAlerts> AlertThrottle::TakeSuppressed() {
  std::vector<SuppressedAlerts> out;
  out.reserve(suppressed_.size());
  for (auto& [key, s] : suppressed_)
    out.push_back({.rule = key.rule, .entity = key.entity, .pid = s.pid, .alerts = s.alerts});
  suppressed_.clear();
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.alerts > b.alerts; });
  return out;
}

}  // namespace vigil::agent
