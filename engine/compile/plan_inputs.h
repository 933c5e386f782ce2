// The kernel plan's input from an analysed program: per policy, its scope and the kernel event
// types of the rules it selects (with no policy declared: one implicit global "all-rules"
// policy, as the rule compiler makes). Shared by `vigil compile` and the agent.
#pragma once

#include <cstdint>
#include <vector>

#include "compile/kernel_plan.h"
#include "lang/events.h"
#include "lang/program.h"

namespace vigil::compile {

std::vector<KernelPolicyInput> KernelPolicyInputs(const lang::Program& program);

}  // namespace vigil::compile
