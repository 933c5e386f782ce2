// What `vigil trace` and `vigil record` ask the kernel for: event types and a scope, as one
// policy named "trace" (number 0), and the kernel plan built from it.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "compile/kernel_plan.h"
#include "kernel/kernel_plan.h"
#include "lang/scope.h"
#include "util/result.h"

namespace vigil::runtime {

struct TraceSpec {
  std::set<uint16_t> event_types;  // enum vigil_event_type
  lang::Scope scope;               // empty: every process
  bool lifecycle_all = false;      // deliver exec/fork/exit of processes outside the scope too
};

// From --events (comma-separated names; empty or "all" for every type) and --scope (a policy
// scope). A scoped trace of every type leaves tcp_state out: softirq network events cannot be
// attributed to a process (naming it explicitly fails with that reason when the plan is built).
Result<TraceSpec> TraceSpecFromFlags(const std::string& events, const std::string& scope);

// Selects exec, fork and exit and delivers them for every process: what a process tree needs.
void IncludeLifecycle(TraceSpec& spec);

// The kernel plan of the spec's one policy.
Result<kernel::KernelPlan> BuildTracePlan(const TraceSpec& spec,
                                          const compile::KernelPlanOptions& options);

}  // namespace vigil::runtime
