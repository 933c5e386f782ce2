// vigil compile: what the rules and policies become. The kernel half (policy config, which
// policies want each event type, scope map entries) and, per rule, the matcher that user space
// runs; --explain adds each rule's matcher tree and what is decided where.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/load_rules.h"
#include "compile/kernel_plan.h"
#include "compile/plan_inputs.h"
#include "compile/prefilter.h"
#include "output/kernel_plan_text.h"
#include "output/terminal_text.h"
#include "runtime/visibility.h"

namespace vigil::cli {
namespace {

struct CompileOptions {
  bool explain = false;
  std::vector<std::string> paths;
};

std::string RulePolicies(const match::CompiledRule& rule, const match::RuleSet& rules) {
  std::string out;
  for (const auto& p : rules.policies())
    if (rule.policies & (uint64_t{1} << p.index)) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

std::string Duration(int64_t ns) {
  struct Unit {
    int64_t ns;
    const char* name;
  };
  static const Unit kUnits[] = {{86400'000'000'000LL, "d"},
                                {3600'000'000'000LL, "h"},
                                {60'000'000'000LL, "m"},
                                {1'000'000'000LL, "s"},
                                {1'000'000LL, "ms"}};
  for (const auto& u : kUnits)
    if (ns % u.ns == 0) return std::to_string(ns / u.ns) + u.name;
  return std::to_string(ns) + "ns";
}

std::string FieldNames(const std::vector<lang::FieldId>& fields) {
  std::string out;
  for (auto f : fields) out += (out.empty() ? "" : ", ") + std::string(lang::Field(f).name);
  return out.empty() ? "(one key for all events)" : out;
}

// A rule's correlation and throttle, with the bound of the state they keep.
void PrintTime(const match::CompiledRule& rule, std::ostream& out) {
  using Kind = match::CompiledCorrelation::Kind;
  const match::CompiledCorrelation& c = rule.correlation;
  if (c.active()) {
    out << "  correlation: ";
    size_t per_key = 0;
    if (c.kind == Kind::kCount) {
      out << "at least " << c.count
          << (c.distinct ? " distinct values of " + std::string(lang::Field(*c.distinct).name)
                         : std::string(" events"));
      per_key = static_cast<size_t>(c.count);
    } else {
      out << c.steps.size() << " steps "
          << (c.kind == Kind::kSequence ? "in order" : "in any order") << " (";
      for (size_t i = 0; i < c.steps.size(); ++i) {
        out << (i ? ", " : "") << c.steps[i].name;
        for (const auto& j : c.steps[i].joins)
          out << " [" << lang::Field(j.field).name << " == " << c.steps[j.step].name << "."
              << lang::Field(j.step_field).name << "]";
      }
      out << ")";
      per_key = c.kind == Kind::kSequence ? c.max_pending * c.steps.size() : c.steps.size();
    }
    out << " within " << Duration(c.within_ns) << " by " << FieldNames(c.by) << "\n";
    out << "  state bound: at most " << c.max_keys << " keys (least recently used evicted, "
        << "counted), "
        << (c.kind == Kind::kSequence
                ? std::to_string(c.max_pending) + " partial sequences per key, "
                : std::string())
        << per_key << " events per key, " << c.max_keys * per_key << " events in all; keys expire "
        << Duration(c.within_ns) << " of event time after their last event\n";
  }
  if (rule.throttle.active()) {
    out << "  throttle: at most " << rule.throttle.limit << " alert"
        << (rule.throttle.limit == 1 ? "" : "s") << " per " << Duration(rule.throttle.per_ns)
        << " by " << FieldNames(rule.throttle.by)
        << (rule.throttle.fold ? ", identical alerts folded" : "")
        << "; held-back alerts counted in the next alert's 'suppressed'\n";
  }
}

// What the candidate index requires of an event before it evaluates the rule, per type (and
// step): a rule without a requirement is evaluated on every event of the type.
void PrintIndexing(const match::CompiledRule& rule, const match::RuleSet& rules,
                   std::ostream& out) {
  const auto id = static_cast<uint32_t>(&rule - rules.rules().data());
  const size_t steps = std::max<size_t>(rule.correlation.steps.size(), 1);
  for (size_t t = 0; t < match::kEventTypes; ++t) {
    auto type = static_cast<lang::EventType>(t);
    for (size_t k = 0; k < steps; ++k) {
      const bool has = rule.correlation.steps.empty()
                           ? rule.by_type[t] != nullptr
                           : rule.correlation.steps[k].by_type[t] != nullptr;
      if (!has || !rule.enabled || rule.policies == 0) continue;
      auto req = rules.IndexRequirement(id, static_cast<uint16_t>(k), type);
      out << "  candidate index, " << lang::EventTypeName(type);
      if (!rule.correlation.steps.empty())
        out << " (step " << rule.correlation.steps[k].name << ")";
      out << ": "
          << (req ? "evaluated only when " + output::TerminalSafe(*req)
                  : std::string("evaluated on every event (no required value)"))
          << "\n";
    }
  }
}

void PrintRule(const match::CompiledRule& rule, const match::RuleSet& rules, bool explain,
               std::ostream& out) {
  std::string types, never;
  size_t nodes = 0;
  for (size_t t = 0; t < match::kEventTypes; ++t) {
    auto type = static_cast<lang::EventType>(t);
    if (!(rule.events & lang::Bit(type))) continue;
    std::string name(lang::EventTypeName(type));
    const match::Matcher* m = rule.by_type[t].get();
    for (const auto& st : rule.correlation.steps)
      if (st.by_type[t]) nodes = std::max(nodes, st.by_type[t]->size()), m = st.by_type[t].get();
    if (m) {
      types += (types.empty() ? "" : ", ") + name;
      nodes = std::max(nodes, m->size());
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
  PrintTime(rule, out);
  for (const auto& x : rule.exceptions)
    out << "  exception " << output::TerminalSafe(x)
        << " (an event matching every field of a tuple does not alert)\n";
  out << "  kernel decides: the event type (" << (types.empty() ? "none" : types)
      << ") for the policies above, each policy's scope, and the argument prefilter below\n";
  PrintIndexing(rule, rules, out);
  out << "  user space decides:\n";
  std::istringstream tree(match::DescribeTree(rule.condition, 2));
  for (std::string line; std::getline(tree, line);) out << output::TerminalSafe(line) << "\n";
  for (const auto& st : rule.correlation.steps) {
    out << "  step " << st.name << " (with the rule's condition):\n";
    std::istringstream step_tree(match::DescribeTree(st.condition, 2));
    for (std::string line; std::getline(step_tree, line);)
      out << "  " << output::TerminalSafe(line) << "\n";
  }
}

std::string Joined(const std::set<std::string>& strings) {
  std::string out;
  for (const auto& s : strings) out += (out.empty() ? "\"" : ", \"") + s + "\"";
  return output::TerminalSafe(out);
}

// The argument prefilter: what the kernel decides from an event's arguments, per type.
void PrintPrefilter(const kernel::KernelPlan& plan,
                    const std::vector<compile::PrefilterOutcome>& outcomes, std::ostream& out) {
  out << "\nargument prefilter (kernel, at syscall entry; dropped events count as "
         "prefiltered):\n";
  if (outcomes.empty()) out << "  no selected event type has arguments the kernel judges\n";
  for (const auto& o : outcomes) {
    const std::string name(lang::EventTypeName(static_cast<lang::EventType>(o.type)));
    if (!o.active) {
      out << "  " << name
          << ": off, every event in scope goes to user space: " << output::TerminalSafe(o.why_not)
          << "\n";
      continue;
    }
    const kernel::Prefilter& pf = plan.prefilter.at(o.type);
    out << "  " << name << ": on; the kernel keeps an event only when\n";
    if (pf.flag_mask)
      out << "    its open flags have a bit of " << std::oct << std::showbase << pf.flag_mask
          << std::dec << std::noshowbase << ", or\n";
    if (!pf.exact.empty()) out << "    its path is one of [" << Joined(pf.exact) << "], or\n";
    if (!pf.prefix.empty())
      out << "    its path starts with one of [" << Joined(pf.prefix) << "], or\n";
    if (!pf.suffix.empty())
      out << "    its path ends with one of [" << Joined(pf.suffix) << "], or\n";
    out << "    its arguments cannot be read whole at entry\n";
    out << "    per rule (each rule's requirement; user space still runs every rule):\n";
    for (const auto& r : o.rules) out << "      " << output::TerminalSafe(r) << "\n";
  }
}

// What this kernel cannot see of the selected types without the raw_syscalls fallback.
void PrintVisibility(const kernel::KernelPlan& plan, std::ostream& out) {
  out << "\nkernel visibility (this host):\n";
  auto unseen = runtime::SyscallsWithoutTracepoint(plan.event_types);
  if (!unseen) {
    out << "  unknown: " << unseen.error() << "\n";
    return;
  }
  if (unseen->empty()) out << "  every selected syscall has a tracepoint\n";
  for (const auto& [type, syscalls] : *unseen) {
    std::string list;
    for (const auto& sc : syscalls) list += (list.empty() ? "" : ", ") + sc;
    out << "  " << lang::EventTypeName(static_cast<lang::EventType>(type))
        << ": not seen (no tracepoint for " << list
        << "); rules on it do not fire unless the agent runs with --raw-syscalls, which "
           "attaches a program to every syscall of the host\n";
  }
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
  output::WriteKernelPlanText(*plan, inputs, out);
  const auto prefilter = compile::AddPrefilters(rules, *plan);
  if (opt.explain) {
    PrintPrefilter(*plan, prefilter, out);
    PrintVisibility(*plan, out);
  }
  out << "\nrule index (event type -> rules it meets):\n";
  for (size_t t = 0; t < match::kEventTypes; ++t) {
    auto type = static_cast<lang::EventType>(t);
    if (size_t n = rules.IndexedRules(type))
      out << "  " << std::left << std::setw(13) << lang::EventTypeName(type) << n << " ("
          << rules.KeyedRules(type) << " evaluated only when the event has a value they require)\n";
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
