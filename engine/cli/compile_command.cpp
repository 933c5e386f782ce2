// vigil compile: what the rules and policies become. The kernel half (policy config, which
// policies want each event type, scope map entries) and, per rule, the matcher that user space
// runs; --explain adds each rule's matcher tree and what is decided where.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/load_rules.h"
#include "compile/exec_kill.h"
#include "compile/kernel_plan.h"
#include "compile/plan_inputs.h"
#include "output/terminal_text.h"

namespace vigil::cli {
namespace {

struct CompileOptions {
  bool explain = false;
  std::vector<std::string> paths;
};

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

void PrintKernelPlan(const kernel::KernelPlan& plan,
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

std::string RulePolicies(const match::CompiledRule& rule, const match::RuleSet& rules) {
  std::string out;
  for (const auto& p : rules.policies())
    if (rule.policies & (uint64_t{1} << p.index)) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

void PrintRule(const match::CompiledRule& rule, const match::RuleSet& rules, bool explain,
               std::ostream& out) {
  std::string types, never;
  size_t nodes = 0;
  for (size_t t = 0; t < match::kEventTypes; ++t) {
    auto type = static_cast<lang::EventType>(t);
    if (!(rule.events & lang::Bit(type))) continue;
    std::string name(lang::EventTypeName(type));
    if (rule.by_type[t]) {
      types += (types.empty() ? "" : ", ") + name;
      nodes = std::max(nodes, rule.by_type[t]->size());
    } else {
      never += (never.empty() ? "" : ", ") + name;
    }
  }
  std::string policies = RulePolicies(rule, rules);
  out << "rule " << rule.name << "  (" << output::TerminalSafe(rule.where) << ")\n";
  out << "  on " << (types.empty() ? "(nothing)" : types) << "; " << nodes << " matcher node"
      << (nodes == 1 ? "" : "s") << "; "
      << (!rule.enabled      ? "disabled"
          : policies.empty() ? "selected by no policy (compiled for tests only)"
                             : "policies " + policies)
      << "\n";
  if (!never.empty())
    out << "  never fires on " << never << ": its condition needs fields those events lack\n";
  if (!explain) return;
  out << "  kernel decides: the event type (" << (types.empty() ? "none" : types)
      << ") for the policies above, and each policy's scope\n";
  out << "  user space decides:\n";
  std::istringstream tree(match::DescribeTree(rule.condition, 2));
  for (std::string line; std::getline(tree, line);) out << output::TerminalSafe(line) << "\n";
}

int RunCompile(const CompileOptions& opt) {
  auto loaded = LoadAndCompile("compile", opt.paths, {}, std::cerr);
  if (!loaded.ok()) return loaded.exit_code;
  const lang::Program& program = *loaded.loaded.program;
  const match::RuleSet& rules = *loaded.loaded.rules;

  auto inputs = compile::KernelPolicyInputs(program);
  compile::KernelPlanOptions plan_options;
  plan_options.lifecycle_all = true;  // as the agent loads it: the process tree needs them
  // The language checks every limit of the kernel plan, so this refusal is a defensive one.
  auto plan = compile::BuildKernelPlan(inputs, plan_options);
  if (!plan) {
    std::cerr << "vigil compile: the kernel cannot express this policy set: "
              << output::TerminalSafe(plan.error()) << "\n";
    return kExitFindings;
  }
  std::ostringstream out;
  PrintKernelPlan(*plan, inputs, out);
  out << "\nrule index (event type -> rules it meets):\n";
  for (size_t t = 0; t < match::kEventTypes; ++t) {
    auto type = static_cast<lang::EventType>(t);
    if (size_t n = rules.IndexedRules(type))
      out << "  " << std::left << std::setw(13) << lang::EventTypeName(type) << n << "\n";
  }
  out << "\n";
  for (const auto& rule : rules.rules()) {
    PrintRule(rule, rules, opt.explain, out);
    if (opt.explain) out << "\n";
  }
  std::cout << out.str();
  return kExitOk;
}

}  // namespace

void AddCompileCommand(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<CompileOptions>();
  auto* cmd = app.add_subcommand(
      "compile",
      "Show the kernel plan and the matcher of every rule, as the agent would load them");
  cmd->add_flag("--explain", opt->explain,
                "Print each rule's matcher tree and what the kernel and user space each decide");
  cmd->add_option("paths", opt->paths, "Files, directories (recursive *.vgl) or - for stdin")
      ->required();
  cmd->footer(
      "Exit status: 0 compiled, 1 errors in the rules or a plan the kernel cannot hold, 2 "
      "usage or I/O.\nThe matcher forms are described in docs/matching.md.");
  cmd->callback([opt, &exit_code] { exit_code = RunCompile(*opt); });
}

}  // namespace vigil::cli
