// Which exec rules of an `action kill` policy the kernel can decide alone, so that it kills the
// process at exec itself (bpf_send_signal) instead of leaving it to user space after the match.
// The kernel knows, at exec: the policy scope and event selection (already in the plan), the
// executable's path, the path given to execve and the new process name. A rule is decided in the
// kernel when its condition is absent, or is `==` / `in` against string literals (or lists of
// them) of proc.exe, exec.filename or proc.name, or an `or` of such comparisons.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bpf/events.h"
#include "lang/ast.h"
#include "lang/fields.h"
#include "lang/program.h"

namespace vigil::compile {

struct ExecKillCondition {
  bool always = false;                                          // no condition: every exec in scope
  std::vector<std::pair<vigil_kill_kind, std::string>> equals;  // any of these strings
};

// The kernel's form of `rule`'s condition on exec events, or nullopt when the kernel cannot
// decide it (the rule then kills from user space) or the rule does not apply to exec.
std::optional<ExecKillCondition> KernelExecKill(const lang::ast::RuleDecl& rule,
                                                const lang::Program& program);

// The field a kill kind compares (VIGIL_KILL_EXE: proc.exe, ...).
lang::FieldId KillKindField(vigil_kill_kind kind);

}  // namespace vigil::compile
