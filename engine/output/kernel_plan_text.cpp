#include "output/kernel_plan_text.h"

#include <iomanip>
#include <sstream>

#include "compile/exec_kill.h"
#include "lang/events.h"
#include "lang/fields.h"
#include "lang/scope.h"
#include "output/terminal_text.h"

namespace vigil::output {
namespace {

std::string Hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

std::string PolicyNames(uint64_t bits, const std::vector<compile::KernelPolicyInput>& inputs) {
  std::string out;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (bits & (uint64_t{1} << i)) out += (out.empty() ? "" : ", ") + inputs[i].name;
  return out.empty() ? "(none)" : out;
}

// A kernel scope kind is numbered as the language's (both from bpf/vocabulary.h).
const char* KindName(int kind) {
  return lang::ScopeFilterKindName(static_cast<lang::ScopeFilterKind>(kind));
}

}  // namespace

void WriteKernelPlanText(const kernel::KernelPlan& plan,
                         const std::vector<compile::KernelPolicyInput>& inputs, std::ostream& out) {
  const vigil_policy_config& c = *plan.config;
  out << "kernel plan (version " << plan.version << ")\n";
  out << "  policies:   " << Hex(c.policies) << "  " << PolicyNames(c.policies, inputs) << "\n";
  out << "  unscoped:   " << Hex(c.unscoped) << "  " << PolicyNames(c.unscoped, inputs) << "\n";
  out << "  follow:     " << Hex(c.follow) << "\n";
  out << "  lifecycle:  " << (c.lifecycle_all ? "every process (process tree)" : "matched only")
      << "\n";
  for (int k = 0; k < VIGIL_SCOPE_KIND_MAX; ++k) {
    if (!c.enabled[k]) continue;
    out << "  filter " << std::left << std::setw(9) << KindName(k) << " enabled for "
        << PolicyNames(c.enabled[k], inputs);
    if (c.negated[k]) out << "; negated for " << PolicyNames(c.negated[k], inputs);
    uint64_t follow = 0;
    for (const auto& lane : c.follow_kind) follow |= lane[k];
    if (follow) out << "; follow for " << PolicyNames(follow, inputs);
    out << "\n";
    if (k <= VIGIL_SCOPE_PID) {
      for (size_t p = 0; p < inputs.size(); ++p)
        for (int i = 0; i < VIGIL_MAX_RANGES; ++i) {
          const vigil_range& r = c.ranges[k][p][i];
          if (r.hi < r.lo) continue;
          out << "    range " << r.lo << ".." << r.hi << " -> " << inputs[p].name << "\n";
        }
    }
  }
  out << "  events map (event type -> policies):\n";
  for (const auto& [type, bits] : plan.event_policies) {
    auto lang_type = lang::EventTypeFromKernel(type);
    auto name = lang_type ? lang::EventTypeName(*lang_type) : "?";
    out << "    " << std::left << std::setw(13) << name << Hex(bits) << "  "
        << PolicyNames(bits, inputs) << "\n";
  }
  for (const auto& [key, bits] : plan.numeric)
    out << "  map " << KindName(key.first) << "[" << key.second << "] -> "
        << PolicyNames(bits, inputs) << "\n";
  for (const auto& [comm, bits] : plan.comm)
    out << "  map comm[\"" << output::TerminalSafe(comm) << "\"] -> " << PolicyNames(bits, inputs)
        << "\n";
  for (const auto& [uts, bits] : plan.uts)
    out << "  map uts[\"" << output::TerminalSafe(uts) << "\"] -> " << PolicyNames(bits, inputs)
        << "\n";
  for (const auto& [key, bits] : plan.binary)
    out << "  map binary[mntns " << (key.first ? std::to_string(key.first) : std::string("any"))
        << ", path hash " << Hex(key.second) << "] -> " << PolicyNames(bits, inputs) << "\n";
  if (c.kill_exec) {
    out << "  kill at exec, in the kernel: " << PolicyNames(c.kill_exec, inputs);
    if (c.kill_exec_any)
      out << " (every exec in scope: " << PolicyNames(c.kill_exec_any, inputs) << ")";
    out << "\n";
  }
  for (const auto& p : inputs)
    for (const auto& [what, text] : p.kill_exec) {
      out << "    kill " << lang::Field(compile::KillKindField(what)).name << " == \""
          << output::TerminalSafe(text) << "\" -> " << p.name << "\n";
    }
}

}  // namespace vigil::output
