#include "compile/plan_inputs.h"

#include "compile/exec_kill.h"

namespace vigil::compile {

namespace {

// A language event type is its kernel number (both come from bpf/vocabulary.h).
void AddTypes(lang::EventMask mask, std::set<uint16_t>* out) {
  for (const auto& info : lang::AllEventTypes())
    if (mask & lang::Bit(info.type)) out->insert(static_cast<uint16_t>(info.type));
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
