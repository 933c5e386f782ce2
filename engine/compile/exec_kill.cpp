#include "compile/exec_kill.h"

#include "lang/fields.h"

namespace vigil::compile {
namespace {

using lang::ast::Expr;
using lang::ast::Op;
using lang::ast::Value;

// The field each kill kind compares, indexed by enum vigil_kill_kind.
constexpr lang::FieldId kKillFields[] = {lang::FieldId::kProcExe, lang::FieldId::kExecFilename,
                                         lang::FieldId::kProcName};
static_assert(VIGIL_KILL_EXE == 0 && VIGIL_KILL_FILENAME == 1 && VIGIL_KILL_COMM == 2);

std::optional<vigil_kill_kind> KindOf(const Value& v) {
  if (v.kind != Value::Kind::kField || !v.field || v.index >= 0) return std::nullopt;
  for (size_t k = 0; k < std::size(kKillFields); ++k)
    if (*v.field == kKillFields[k]) return static_cast<vigil_kill_kind>(k);
  return std::nullopt;
}

// String literals of a list literal or named list (lists may name other lists).
bool Strings(const Value& v, const lang::Program& program, int depth,
             std::vector<std::string>* out) {
  if (depth > 16) return false;
  switch (v.kind) {
    case Value::Kind::kString:
      out->push_back(v.text);
      return true;
    case Value::Kind::kList:
      for (const auto& item : v.items)
        if (!Strings(item, program, depth + 1, out)) return false;
      return true;
    case Value::Kind::kListRef: {
      auto it = program.lists.find(v.text);
      if (it == program.lists.end()) return false;
      for (const auto& item : it->second->items)
        if (!Strings(item, program, depth + 1, out)) return false;
      return true;
    }
    default:
      return false;
  }
}

bool Collect(const Expr& e, const lang::Program& program, ExecKillCondition* out) {
  if (e.op == Op::kOr) {
    for (const auto& c : e.children)
      if (!Collect(c, program, out)) return false;
    return true;
  }
  if (e.op != Op::kEq && e.op != Op::kIn) return false;
  const auto kind = KindOf(e.lhs);
  if (!kind) return false;
  std::vector<std::string> values;
  if (!Strings(e.rhs, program, 0, &values)) return false;
  for (auto& s : values) {
    // The kernel compares the process name as it keeps it: at most 15 bytes. A longer literal
    // can never equal proc.name; leave such a rule to user space rather than guess.
    if (*kind == VIGIL_KILL_COMM && s.size() >= VIGIL_COMM_LEN) return false;
    if (*kind != VIGIL_KILL_COMM && (s.empty() || s.size() >= VIGIL_PATH_MAX)) return false;
    out->equals.emplace_back(*kind, std::move(s));
  }
  return true;
}

}  // namespace

lang::FieldId KillKindField(vigil_kill_kind kind) {
  return kKillFields[kind];
}

std::optional<ExecKillCondition> KernelExecKill(const lang::ast::RuleDecl& rule,
                                                const lang::Program& program) {
  if (!(rule.events & lang::Bit(lang::EventType::kExec))) return std::nullopt;
  ExecKillCondition out;
  if (!rule.when) {
    out.always = true;
    return out;
  }
  if (!Collect(*rule.when, program, &out)) return std::nullopt;
  return out;
}

}  // namespace vigil::compile
