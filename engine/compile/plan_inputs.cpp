#include "compile/plan_inputs.h"

#include "compile/exec_kill.h"

namespace vigil::compile {

// The two enumerations list the same types in the same order; these keep them honest.
static_assert(VIGIL_EVT_EXEC == static_cast<int>(lang::EventType::kExec) + 1);
static_assert(VIGIL_EVT_OPEN == static_cast<int>(lang::EventType::kOpen) + 1);
static_assert(VIGIL_EVT_TCP_STATE == static_cast<int>(lang::EventType::kTcpState) + 1);
static_assert(VIGIL_EVT_MODULE_LOAD == static_cast<int>(lang::EventType::kModuleLoad) + 1);
static_assert(VIGIL_EVT_SETNS == static_cast<int>(lang::EventType::kSetns) + 1);
static_assert(VIGIL_EVT_MAX == static_cast<int>(lang::EventType::kCount) + 1);

uint16_t KernelEventType(lang::EventType type) {
  return static_cast<uint16_t>(type) + 1;
}

namespace {

void AddTypes(lang::EventMask mask, std::set<uint16_t>* out) {
  for (size_t t = 0; t < static_cast<size_t>(lang::EventType::kCount); ++t)
    if (mask & lang::Bit(static_cast<lang::EventType>(t)))
      out->insert(KernelEventType(static_cast<lang::EventType>(t)));
}

}  // namespace

std::vector<KernelPolicyInput> KernelPolicyInputs(const lang::Program& program) {
  std::vector<KernelPolicyInput> inputs;
  if (program.policies.empty()) {
    KernelPolicyInput all;
    all.name = "all-rules";
    for (const auto* r : program.rule_order)
      if (r->enabled) AddTypes(r->events, &all.event_types);
    inputs.push_back(std::move(all));
  }
  for (const auto& p : program.policies) {
    KernelPolicyInput in;
    in.name = p.decl ? p.decl->name : "?";
    in.scope = p.scope;
    for (const auto* r : p.rules) {
      AddTypes(r->events, &in.event_types);
      if (!p.decl || p.decl->action != lang::ast::Action::kKill) continue;
      if (auto kill = KernelExecKill(*r, program)) {
        in.kill_exec_always |= kill->always;
        in.kill_exec.insert(kill->equals.begin(), kill->equals.end());
      }
    }
    inputs.push_back(std::move(in));
  }
  return inputs;
}

}  // namespace vigil::compile
