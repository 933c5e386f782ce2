#include "runtime/trace_spec.h"

#include "bpf/events.h"
#include "kernel/event_types.h"
#include "lang/scope_parser.h"
#include "output/lint_report.h"

namespace vigil::runtime {

Result<TraceSpec> TraceSpecFromFlags(const std::string& events, const std::string& scope) {
  TraceSpec spec;
  auto types = kernel::ParseEventTypeList(events);
  if (!types) return Error{types.error()};
  spec.event_types = std::move(*types);
  if (!scope.empty()) {
    lang::SourceSet sources;
    auto parsed = lang::ParseScope(sources, sources.Add("--scope", scope));
    if (!parsed) return Error{output::ErrorText(sources, parsed.error())};
    spec.scope = std::move(*parsed);
    if (events.empty() || events == "all") spec.event_types.erase(VIGIL_EVT_TCP_STATE);
  }
  return spec;
}

void IncludeLifecycle(TraceSpec& spec) {
  for (uint16_t t : {VIGIL_EVT_EXEC, VIGIL_EVT_FORK, VIGIL_EVT_EXIT}) spec.event_types.insert(t);
  spec.lifecycle_all = true;
}

Result<kernel::KernelPlan> BuildTracePlan(const TraceSpec& spec,
                                          const compile::KernelPlanOptions& options) {
  compile::KernelPolicyInput policy;
  policy.name = "trace";
  policy.scope = spec.scope;
  policy.event_types = spec.event_types;
  compile::KernelPlanOptions plan_options = options;
  plan_options.lifecycle_all = spec.lifecycle_all;
  return compile::BuildKernelPlan({policy}, plan_options);
}

}  // namespace vigil::runtime
