// The kernel half of a policy set as plain data: the per-version policy config, which policies
// want each event type, and the entries of every scope filter map. engine/compile builds it
// (compile/kernel_plan.h); engine/kernel writes it into the BPF maps and never builds one.
// Layouts are those of bpf/events.h.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "bpf/events.h"

namespace vigil::kernel {

// The argument prefilter of one event type (bpf/events.h, docs/kernel.md "Argument prefilter"):
// an event is kept when its open flags meet flag_mask, or its path is one of `exact`, starts with
// one of `prefix` or ends with one of `suffix`. compile/prefilter.h derives it from the rules;
// kernel/prefilter_decision.h turns it into map contents and decides with them.
struct Prefilter {
  uint64_t flag_mask = 0;
  std::set<std::string> exact, prefix, suffix;
  bool operator==(const Prefilter&) const = default;
};

struct KernelPlan {
  uint32_t version = 0;
  // Large (per-policy ranges); kept on the heap.
  std::shared_ptr<vigil_policy_config> config;
  std::map<uint16_t, uint64_t> event_policies;  // event type -> policies that want it
  // Scope maps: key -> policies whose filter lists the key.
  std::map<std::pair<vigil_scope_kind, uint64_t>, uint64_t>
      numeric;  // uid gid pid mntns pidns cgroup
  std::map<std::string, uint64_t> comm;
  std::map<std::string, uint64_t> uts;
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> binary;            // (mntns or 0, path hash)
  std::map<std::pair<vigil_kill_kind, uint64_t>, uint64_t> kill_exec;  // (what, hash) -> policies
  std::set<uint16_t> event_types;  // union of selected event types
  // Event type -> its argument prefilter; a type without one delivers every event in scope.
  std::map<uint16_t, Prefilter> prefilter;

  bool Wants(uint16_t type) const { return event_types.count(type) != 0; }
};

}  // namespace vigil::kernel
