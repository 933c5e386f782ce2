// Builds the kernel half of a policy set (kernel/kernel_plan.h): the per-version policy config,
// which policies want each event type, and the entries of every scope filter map, from the
// policies' scopes and the event types their rules use. Nothing here touches libbpf.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bpf/events.h"
#include "kernel/kernel_plan.h"
#include "lang/scope.h"
#include "util/result.h"

namespace vigil::compile {

// One policy as the kernel sees it: its scope, the event types its rules use and, for an
// `action kill` policy, what the kernel kills at exec by itself (compile/exec_kill.h).
struct KernelPolicyInput {
  std::string name;
  lang::Scope scope;
  std::set<uint16_t> event_types;                               // enum vigil_event_type
  bool kill_exec_always = false;                                // a rule on exec without condition
  std::set<std::pair<vigil_kill_kind, std::string>> kill_exec;  // or any of these equalities
};

struct KernelPlanOptions {
  uint32_t version = 1;
  uint64_t loaded_at_ns = 0;   // boottime of the load, for `new`
  uint64_t host_pidns = 0;     // for `container`
  bool lifecycle_all = false;  // deliver every process's exec/fork/exit (the process tree needs it)
};

// Builds the plan from policies that engine/lang has validated (pass 5 checks every limit
// below as a located diagnostic, so `vigil lint` and `vigil compile` agree). The errors left
// here are defensive: they name the policy and filter the kernel cannot express (too many
// policies or ranges, a comm longer than 15 bytes, a relative binary path, a scoped policy
// that selects tcp_state, ...) and cannot happen for a program that lints clean.
Result<kernel::KernelPlan> BuildKernelPlan(const std::vector<KernelPolicyInput>& policies,
                                           const KernelPlanOptions& options);

// Hash of an absolute path, as the kernel hashes exe paths (vigil_path_hash_* in bpf/entity.h).
uint64_t PathHash(const std::string& path);

}  // namespace vigil::compile
