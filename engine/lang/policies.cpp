// Pass 5: policies. A scope becomes a lang::Scope that the kernel can evaluate on its own;
// anything it cannot is an error that says why and where the condition belongs instead.
// Then each policy gets its slot (0..63) and the enabled rules it selects.
#include <algorithm>
#include <limits>
#include <set>

#include "lang/passes.h"
#include "lang/scope_parser.h"
#include "lang/suggest.h"

namespace vigil::lang {
namespace {

using Kind = ast::Value::Kind;
enum class ScopeValueKind { kNumber, kString, kFlag, kGlobal };

struct ScopeFilterInfo {
  std::string_view name;
  ScopeFilterKind kind;
  ScopeValueKind values;
};

// The filter kinds of bpf/vocabulary.h, and `global` (no filter at all).
const std::vector<ScopeFilterInfo>& ScopeFilters() {
  static const std::vector<ScopeFilterInfo> kFilters = {
      {"global", ScopeFilterKind::kUid, ScopeValueKind::kGlobal},
#define VIGIL_X_SCOPE_FILTER(ID, Name, name, values) \
  {name, ScopeFilterKind::k##Name, ScopeValueKind::k##values},
      VIGIL_SCOPE_KINDS(VIGIL_X_SCOPE_FILTER)
#undef VIGIL_X_SCOPE_FILTER
  };
  return kFilters;
}

// "scope filters: uid gid ... new global", for hints.
std::string FilterList() {
  std::string out = "scope filters:";
  for (const auto& k : AllScopeFilterKinds()) out += std::string(" ") + k.name;
  return out + " global";
}

const ScopeFilterInfo* FindFilter(std::string_view name) {
  for (const auto& f : ScopeFilters())
    if (f.name == name) return &f;
  return nullptr;
}

class ScopeBuilder {
 public:
  ScopeBuilder(const Program* program, Diagnostics& diags) : program_(program), diags_(diags) {}

  std::optional<Scope> Build(const ast::Expr& e) {
    std::vector<const ast::Expr*> conjuncts;
    Flatten(e, conjuncts);
    Scope scope;
    bool global = false;
    for (const auto* c : conjuncts) {
      bool negated = false;
      const ast::Expr* atom = c;
      if (atom->op == ast::Op::kNot) {
        negated = true;
        atom = &atom->children[0];
        if (atom->op == ast::Op::kAnd || atom->op == ast::Op::kOr || atom->op == ast::Op::kNot) {
          NotKernel(c->loc,
                    "the kernel can negate a single scope filter, not a combination of them",
                    "write 'not' in front of one filter, or split the policy");
          continue;
        }
      }
      if (atom->op == ast::Op::kOr) {
        NotKernel(atom->loc, "the kernel combines scope filters with 'and' only",
                  "write one policy per alternative, both selecting the same rules");
        continue;
      }
      if (atom->op == ast::Op::kBare && atom->lhs.kind == Kind::kField &&
          atom->lhs.text == "global") {
        global = true;
        global_loc_ = atom->loc;
        continue;
      }
      auto filter = Atom(*atom, negated);
      if (!filter) continue;
      Merge(scope, std::move(*filter), atom->loc);
    }
    size_t follows = 0;
    for (const auto& f : scope.filters) follows += f.follow ? 1 : 0;
    if (follows > kMaxFollowFilters)
      Fail(Code::kTooManyFollow, e.loc,
           "at most " + std::to_string(kMaxFollowFilters) +
               " filters of a scope can carry 'follow' (the kernel keeps that many per process)",
           "keep 'follow' on the filters whose matches the children must inherit");
    if (global && conjuncts.size() > 1)
      NotKernel(global_loc_, "'global' selects every process and cannot be combined with filters",
                "drop 'global' or drop the other filters");
    if (failed_) return std::nullopt;
    return scope;
  }

 private:
  static void Flatten(const ast::Expr& e, std::vector<const ast::Expr*>& out) {
    if (e.op == ast::Op::kAnd && !e.follow) {
      for (const auto& c : e.children) Flatten(c, out);
      return;
    }
    out.push_back(&e);
  }

  void Fail(Code code, SourceLoc loc, const std::string& message, const std::string& fix) {
    failed_ = true;
    diags_.Add(code, loc, message).notes.push_back(fix);
  }
  void NotKernel(SourceLoc loc, const std::string& why, const std::string& fix) {
    Fail(Code::kScopeNotKernel, loc, "scope cannot be evaluated in the kernel: " + why, fix);
  }

  // One filter condition: `comm in [...]`, `uid >= 1000`, `container`, ... in named steps.
  std::optional<ScopeFilter> Atom(const ast::Expr& a, bool negated) {
    const ScopeFilterInfo* info = FilterOf(a);
    if (!info) return std::nullopt;
    ScopeFilter f;
    f.kind = info->kind;
    f.negated = negated;
    f.follow = a.follow;
    if (info->values == ScopeValueKind::kFlag || info->values == ScopeValueKind::kGlobal)
      return FlagFilter(*info, a, std::move(f));
    switch (a.op) {
      case ast::Op::kBare:
        NotKernel(a.loc, "'" + a.lhs.text + "' needs a value",
                  info->values == ScopeValueKind::kNumber ? "e.g. " + a.lhs.text + " >= 1000"
                                                          : "e.g. " + a.lhs.text + " in [\"...\"]");
        return std::nullopt;
      case ast::Op::kEq:
      case ast::Op::kNe:
        if (a.op == ast::Op::kNe) f.negated = !f.negated;
        if (!AddValue(*info, a.rhs, f)) return std::nullopt;
        return f;
      case ast::Op::kIn:
      case ast::Op::kNotIn:
        if (a.op == ast::Op::kNotIn) f.negated = !f.negated;
        return ListFilter(*info, a, std::move(f));
      case ast::Op::kLt:
      case ast::Op::kLe:
      case ast::Op::kGt:
      case ast::Op::kGe:
        return BoundFilter(*info, a, std::move(f));
      default:
        NotKernel(a.loc,
                  std::string("the kernel compares scope values exactly; '") + ast::OpName(a.op) +
                      "' cannot run there",
                  "keep the exact part in the scope and move '" + a.lhs.text + " " +
                      ast::OpName(a.op) +
                      " ...' into a rule's 'when' (on proc.name, proc.exe, ...)");
        return std::nullopt;
    }
  }

  // The filter a condition names, or null (reported) when its left side is not one.
  const ScopeFilterInfo* FilterOf(const ast::Expr& a) {
    if (a.op == ast::Op::kAnd) {
      NotKernel(a.loc, "'follow' applies to one filter, not to a group in parentheses",
                "put 'follow' after the filter whose matches should pass it to their children");
      return nullptr;
    }
    if (a.lhs.kind != Kind::kField) {
      NotKernel(a.lhs.loc, "the left side of a scope condition must be a scope filter name",
                FilterList());
      return nullptr;
    }
    if (const ScopeFilterInfo* info = FindFilter(a.lhs.text)) return info;
    std::string fix = FilterList();
    if (FieldByName(a.lhs.text))
      fix = "'" + a.lhs.text +
            "' is an event field: move this condition into a rule's 'when' "
            "(scopes choose processes with what the kernel knows about them)";
    std::vector<std::string_view> names;
    for (const auto& f : ScopeFilters()) names.push_back(f.name);
    NotKernel(a.lhs.loc,
              "'" + a.lhs.text + "' is not a scope filter" + DidYouMean(Suggest(a.lhs.text, names)),
              fix);
    return nullptr;
  }

  // `container`, `not new`: a flag stands alone; `global` is handled by Build.
  std::optional<ScopeFilter> FlagFilter(const ScopeFilterInfo& info, const ast::Expr& a,
                                        ScopeFilter f) {
    if (info.values == ScopeValueKind::kGlobal) {
      NotKernel(a.loc, "'global' takes no value and cannot be negated", "write 'scope global'");
      return std::nullopt;
    }
    if (a.op != ast::Op::kBare) {
      NotKernel(a.loc, "'" + a.lhs.text + "' is a condition on its own and takes no value",
                "write '" + a.lhs.text + "' or 'not " + a.lhs.text + "'");
      return std::nullopt;
    }
    return f;
  }

  // `comm in [nginx, php-fpm]`, `uid in my_uids`.
  std::optional<ScopeFilter> ListFilter(const ScopeFilterInfo& info, const ast::Expr& a,
                                        ScopeFilter f) {
    const std::vector<ast::Value>* items = nullptr;
    if (a.rhs.kind == Kind::kList) items = &a.rhs.items;
    if (a.rhs.kind == Kind::kListRef && program_) {
      auto it = program_->lists.find(a.rhs.text);
      if (it != program_->lists.end()) items = &it->second->items;
    }
    if (!items) {
      NotKernel(a.rhs.loc, "'in' in a scope needs a list", "e.g. comm in [nginx, php-fpm]");
      return std::nullopt;
    }
    for (const auto& item : *items)
      if (!AddValue(info, item, f)) return std::nullopt;
    if (f.values.empty()) {
      Fail(Code::kEmptyRange, a.rhs.loc, "an empty list matches no process",
           "list at least one value");
      return std::nullopt;
    }
    size_t ranges = 0;
    for (const auto& v : f.values) ranges += v.lo < v.hi ? 1 : 0;
    if (ranges > kMaxRangesPerFilter) {
      Fail(Code::kTooManyRanges, a.rhs.loc,
           "'" + a.lhs.text + "' lists " + std::to_string(ranges) +
               " ranges; the kernel holds at most " + std::to_string(kMaxRangesPerFilter) +
               " per filter",
           "merge adjacent ranges, or split the policy");
      return std::nullopt;
    }
    return f;
  }

  // `uid >= 1000`: one open range.
  std::optional<ScopeFilter> BoundFilter(const ScopeFilterInfo& info, const ast::Expr& a,
                                         ScopeFilter f) {
    if (info.values != ScopeValueKind::kNumber) {
      NotKernel(a.loc, "'" + a.lhs.text + "' is compared by exact value, not by order",
                "use == or in [...]");
      return std::nullopt;
    }
    if (!TakesRanges(info.kind)) {
      Fail(Code::kScopeValueLimit, a.loc,
           "'" + a.lhs.text + "' holds exact values in the kernel, not ranges",
           "use == or in [...] with the ids");
      return std::nullopt;
    }
    if (a.rhs.kind != Kind::kInt || a.rhs.number < 0) {
      NotKernel(a.rhs.loc, "'" + a.lhs.text + "' is compared with a non-negative number",
                "e.g. uid >= 1000");
      return std::nullopt;
    }
    uint64_t n = static_cast<uint64_t>(a.rhs.number);
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    ScopeValue v;
    switch (a.op) {
      case ast::Op::kLt:
        if (n == 0) {
          Fail(Code::kEmptyRange, a.rhs.loc, "'< 0' matches nothing", "check the bound");
          return std::nullopt;
        }
        v.lo = 0, v.hi = n - 1;
        break;
      case ast::Op::kLe:
        v.lo = 0, v.hi = n;
        break;
      case ast::Op::kGt:
        v.lo = n + 1, v.hi = kMax;
        break;
      default:
        v.lo = n, v.hi = kMax;
        break;
    }
    f.values.push_back(v);
    return f;
  }

  bool AddValue(const ScopeFilterInfo& info, const ast::Value& v, ScopeFilter& f) {
    return info.values == ScopeValueKind::kNumber ? AddNumber(info, v, f) : AddText(info, v, f);
  }

  // 1000 or 1000..1999.
  bool AddNumber(const ScopeFilterInfo& info, const ast::Value& v, ScopeFilter& f) {
    const std::string name(info.name);
    ScopeValue out;
    if (v.kind == Kind::kInt && v.number >= 0) {
      out.lo = out.hi = static_cast<uint64_t>(v.number);
    } else if (v.kind == Kind::kRange && v.number >= 0 && v.number_hi >= 0) {
      if (v.number > v.number_hi) {
        Fail(Code::kEmptyRange, v.loc,
             "the range " + std::to_string(v.number) + ".." + std::to_string(v.number_hi) +
                 " holds no value",
             "write the lower bound first");
        return false;
      }
      if (!TakesRanges(info.kind) && v.number < v.number_hi) {
        Fail(Code::kScopeValueLimit, v.loc,
             "'" + name + "' holds exact values in the kernel, not ranges",
             "list the ids one by one");
        return false;
      }
      out.lo = static_cast<uint64_t>(v.number);
      out.hi = static_cast<uint64_t>(v.number_hi);
    } else {
      NotKernel(v.loc, "'" + name + "' takes non-negative numbers or ranges (1000..1999)",
                "e.g. " + name + " in [0, 1000..1999]");
      return false;
    }
    f.values.push_back(out);
    return true;
  }

  // "nginx", "/usr/bin/curl" or 4026531840:"/usr/bin/curl".
  bool AddText(const ScopeFilterInfo& info, const ast::Value& v, ScopeFilter& f) {
    ScopeValue out;
    const ast::Value* text = &v;
    if (v.kind == Kind::kQualified && info.kind == ScopeFilterKind::kBinary) {
      const ast::Value& q = v.items[0];
      if (q.kind != Kind::kInt || q.number <= 0) {
        NotKernel(q.loc, "a binary path is qualified by a mount namespace id",
                  "e.g. 4026531840:\"/usr/bin/curl\"");
        return false;
      }
      out.mntns = static_cast<uint64_t>(q.number);
      text = &v.items[1];
    }
    if (text->kind != Kind::kString && text->kind != Kind::kWord) {
      NotKernel(v.loc, "'" + std::string(info.name) + "' takes strings", "quote the value");
      return false;
    }
    out.text = text->text;
    if (!TextFitsKernel(info.kind, out.text, v.loc)) return false;
    f.values.push_back(std::move(out));
    return true;
  }

  // The kernel keeps 15 bytes of a comm, 63 of a uts name and compares full exe paths.
  bool TextFitsKernel(ScopeFilterKind kind, const std::string& text, SourceLoc loc) {
    if (kind == ScopeFilterKind::kComm && text.size() > kMaxCommBytes) {
      Fail(Code::kScopeValueLimit, loc,
           "'" + text +
               "' is longer than 15 bytes, and the kernel keeps only the first 15 "
               "bytes of a process name, so it can never match",
           "use binary in [\"/path/to/" + text + "\"], or the first 15 bytes: '" +
               text.substr(0, kMaxCommBytes) + "'");
      return false;
    }
    if (kind == ScopeFilterKind::kUts && text.size() > kMaxUtsBytes) {
      Fail(Code::kScopeValueLimit, loc,
           "a uts name is at most 63 bytes (the kernel's limit); this one has " +
               std::to_string(text.size()),
           "check the host name");
      return false;
    }
    if (kind == ScopeFilterKind::kBinary && (text.empty() || text[0] != '/')) {
      Fail(Code::kScopeValueLimit, loc,
           "binary paths are absolute: the kernel compares the executable's full path",
           "e.g. binary in [\"/usr/sbin/nginx\"]");
      return false;
    }
    if (kind == ScopeFilterKind::kBinary && text.size() > kMaxBinaryPathBytes) {
      Fail(Code::kScopeValueLimit, loc,
           "a binary path is at most " + std::to_string(kMaxBinaryPathBytes) +
               " bytes (the kernel's limit); this one has " + std::to_string(text.size()),
           "the kernel cannot see a longer executable path");
      return false;
    }
    if (text.empty()) {
      Fail(Code::kScopeValueLimit, loc,
           std::string("an empty ") + ScopeFilterKindName(kind) + " matches no process",
           std::string("write the ") + (kind == ScopeFilterKind::kUts ? "host" : "process") +
               " name");
      return false;
    }
    return true;
  }

  // Two comparisons of one numeric filter (uid >= 1000 and uid < 2000) become one range.
  void Merge(Scope& scope, ScopeFilter f, SourceLoc loc) {
    for (auto& existing : scope.filters) {
      if (existing.kind != f.kind) continue;
      bool mergeable = existing.values.size() == 1 && f.values.size() == 1 && !existing.negated &&
                       !f.negated && existing.values[0].text.empty() && f.values[0].text.empty() &&
                       f.kind != ScopeFilterKind::kContainer && f.kind != ScopeFilterKind::kNew;
      if (!mergeable) {
        NotKernel(loc,
                  std::string("'") + ScopeFilterKindName(f.kind) + "' appears twice in this scope",
                  "combine the two into one condition (one list, or one range)");
        return;
      }
      existing.values[0].lo = std::max(existing.values[0].lo, f.values[0].lo);
      existing.values[0].hi = std::min(existing.values[0].hi, f.values[0].hi);
      existing.follow = existing.follow || f.follow;
      if (existing.values[0].lo > existing.values[0].hi)
        Fail(Code::kEmptyRange, loc, "these bounds leave no value", "check the comparisons");
      return;
    }
    scope.filters.push_back(std::move(f));
  }

  const Program* program_;
  Diagnostics& diags_;
  bool failed_ = false;
  SourceLoc global_loc_;
};

}  // namespace

std::optional<Scope> BuildScope(const ast::Expr& expr, const Program* program, Diagnostics& diags) {
  return ScopeBuilder(program, diags).Build(expr);
}

namespace {

// tcp_state events happen in softirq context, where the kernel cannot tell which process owns
// the socket: only a policy without filters can select them.
void CheckScopedEventTypes(const ResolvedPolicy& rp, Diagnostics& diags) {
  if (!rp.scope_ok || rp.scope.filters.empty()) return;
  for (const auto* rule : rp.rules) {
    const EventMask global_only = rule->events & kGlobalScopeOnlyEvents;
    if (!global_only) continue;
    diags
        .Add(Code::kEventNeedsGlobalScope, rp.decl->scope->loc,
             "policy '" + rp.decl->name + "' has a scope and selects rule '" + rule->name +
                 "' on " + EventMaskNames(global_only) +
                 ": the kernel sees those events where it cannot tell which process they belong "
                 "to, so only a global scope can select them")
        .notes.push_back("select '" + rule->name + "' from a policy with 'scope global'");
  }
}

}  // namespace

void CheckPolicies(Program& p, Diagnostics& diags) {
  unsigned next_index = 0;
  for (const auto* decl : p.policy_order) {
    if (!decl->enabled) continue;
    ResolvedPolicy rp;
    rp.decl = decl;
    if (next_index == kMaxPolicies) {
      diags
          .Add(Code::kTooManyPolicies, decl->loc,
               "policy '" + decl->name +
                   "' is the 65th enabled policy; the kernel tracks at most 64 "
                   "(its policy bitmaps are 64 bits wide)")
          .notes.push_back(
              "merge policies that share a scope, or disable some with 'enabled false'");
    }
    rp.index = next_index++;
    if (decl->scope) {
      auto scope = BuildScope(*decl->scope, &p, diags);
      if (scope) rp.scope = std::move(*scope), rp.scope_ok = true;
    } else {
      rp.scope_ok = true;  // no scope: every process, like `scope global`
    }
    auto selects = [](const ast::Value& sel, const ast::RuleDecl& rule) {
      if (sel.kind == ast::Value::Kind::kQualified && sel.text == "tag") {
        for (const auto& t : rule.tags)
          if (t.text == sel.items[1].text) return true;
        return false;
      }
      if (sel.kind == ast::Value::Kind::kQualified && sel.text == "severity") {
        auto min = ast::SeverityByName(sel.items[1].text);
        return min && rule.severity.value_or(ast::Severity::kMedium) >= min->first;
      }
      if (sel.kind == ast::Value::Kind::kWord || sel.kind == ast::Value::Kind::kString)
        return rule.name == sel.text;
      return false;
    };
    std::set<const ast::RuleDecl*> chosen;
    for (const auto* rule : p.rule_order) {
      if (!rule->enabled) continue;
      bool in = false, out = false;
      for (const auto& sel : decl->rules) in = in || selects(sel, *rule);
      for (const auto& sel : decl->exclude) out = out || selects(sel, *rule);
      if (decl->min_severity &&
          rule->severity.value_or(ast::Severity::kMedium) < *decl->min_severity)
        out = true;
      if (in && !out) chosen.insert(rule);
    }
    for (const auto* rule : p.rule_order)
      if (chosen.count(rule)) rp.rules.push_back(rule);
    if (rp.rules.empty()) {
      diags
          .Add(Code::kPolicySelectsNothing, decl->loc,
               "policy '" + decl->name + "' selects no enabled rule, so it can never alert")
          .notes.push_back(decl->has_rules
                               ? "check its 'rules', 'exclude' and 'min_severity' and whether "
                                 "those rules are enabled"
                               : "add rules [tag:NAME, rule_name, ...]");
    }
    CheckScopedEventTypes(rp, diags);
    p.policies.push_back(std::move(rp));
  }
}

}  // namespace vigil::lang
