// The kernel plan as text for `vigil compile`: the policy config, each enabled scope filter and
// its ranges, which policies want each event type, every scope map entry and what the kernel
// kills at exec, with policies named. Strings from rule files are made terminal-safe.
#pragma once

#include <ostream>
#include <vector>

#include "compile/kernel_plan.h"
#include "kernel/kernel_plan.h"

namespace vigil::output {

void WriteKernelPlanText(const kernel::KernelPlan& plan,
                         const std::vector<compile::KernelPolicyInput>& inputs, std::ostream& out);

}  // namespace vigil::output
