// The correlation and throttle properties of each rule (docs/language.md, "Correlation",
// "Throttling"): which kind of correlation the properties make, their bounds, the steps'
// event types, the grouping key and distinct fields against those types, and the references
// a step makes to fields of earlier steps. A reference `FIELD == STEP.FIELD` at the top of a
// step's condition becomes a join (ast::StepJoin) and leaves the condition, so the type
// checker sees only the step's own fields.
#include <set>

#include "lang/limits.h"
#include "lang/passes.h"
#include "lang/suggest.h"

namespace vigil::lang {
namespace {

using Kind = ast::Value::Kind;
using CKind = ast::Correlation::Kind;

std::string Q(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// Whether fields start with `name.` (proc, file, net, ...).
bool IsFieldNamespace(std::string_view name) {
  for (const auto& f : AllFields())
    if (f.name.size() > name.size() && f.name.substr(0, name.size()) == name &&
        f.name[name.size()] == '.')
      return true;
  return false;
}

class CorrelationChecker {
 public:
  CorrelationChecker(Program& p, Diagnostics& d) : p_(p), diags_(d) {}

  void Run() {
    for (auto* rule : p_.rule_order) CheckRule(*rule);
    for (const auto* policy : p_.policy_order) CheckThrottle(policy->throttle);
  }

 private:
  void CheckRule(ast::RuleDecl& r) {
    ast::Correlation& c = r.correlation;
    rule_ = &r;
    const bool has_steps = !c.steps.empty();
    if (c.kind != CKind::kNone && !has_steps) {
      Error(c.steps_loc,
            "'steps' says how the rule's steps are ordered, but the rule has no "
            "'step': add 'step NAME on TYPES when CONDITION' lines");
      c.kind = CKind::kNone;
    }
    if (has_steps && c.kind == CKind::kNone) c.kind = CKind::kSequence;
    if (c.count > 0 && has_steps) {
      Error(c.count_loc,
            "'count' and 'step' do not mix: a rule counts events of its own 'on' "
            "and 'when', or follows steps");
      c.count = 0;
    }
    if (c.count > 0) {
      c.kind = CKind::kCount;
      c.loc = c.count_loc;
    } else if (has_steps) {
      c.loc = c.steps.front().loc;
    }
    if (c.count > kMaxCorrelationCount)
      Error(c.count_loc, "'count' is at most " + std::to_string(kMaxCorrelationCount) +
                             ": a key holds that many events until the rule fires");
    if (c.distinct && c.kind != CKind::kCount)
      Error(c.distinct->loc, "'distinct' counts distinct values for 'count'; add 'count N'");

    if (c.kind == CKind::kNone) {
      // Only the throttle may use `by`.
      if (c.has_within)
        Error(c.within_loc,
              "'within' is the window of a correlation: add 'count N' or steps "
              "(for a throttle, write 'throttle N per DURATION')");
      if (c.max_keys > 0)
        Error(c.max_keys_loc, "'max_keys' bounds a correlation's state; this rule has none");
      if (c.max_pending > 0)
        Error(c.max_pending_loc, "'max_pending' bounds a correlation's state; this rule has none");
      if (!c.by.empty() && r.throttle.limit == 0)
        Error(c.by_loc, "'by' groups a correlation or a throttle; this rule has neither");
    } else {
      if (!c.has_within)
        Error(c.loc, "a correlation needs a window: add 'within DURATION', e.g. within 60s");
      if (c.max_keys > kMaxCorrelationKeys)
        Error(c.max_keys_loc, "'max_keys' is at most " + std::to_string(kMaxCorrelationKeys));
      if (c.max_pending > kMaxCorrelationPending)
        Error(c.max_pending_loc,
              "'max_pending' is at most " + std::to_string(kMaxCorrelationPending));
      if (c.max_pending > 0 && c.kind == CKind::kCount)
        Error(c.max_pending_loc,
              "'max_pending' bounds the partial sequences of a rule with steps; "
              "a count holds at most 'count' events per key");
    }
    if (has_steps) CheckSteps(r);

    // Event types of the key and distinct fields: the rule's, or each step's.
    std::vector<std::pair<EventMask, std::string>> sets;
    if (has_steps) {
      for (const auto& st : c.steps)
        if (st.events) sets.emplace_back(st.events, "step " + Q(st.name));
    } else if (r.has_on && !r.on_all) {
      EventMask m = 0;
      for (const auto& v : r.on)
        if (auto t = EventTypeByName(v.text)) m |= Bit(*t);
      if (m) sets.emplace_back(m, "the rule");
    }
    for (auto& k : c.by) CheckCarried(k, sets, "key field");
    if (c.distinct) CheckCarried(*c.distinct, sets, "distinct field");

    CheckThrottle(r.throttle);
    rule_ = nullptr;
  }

  void CheckThrottle(const ast::Throttle& t) {
    if (t.limit > 0 && !t.per_loc.valid())
      Error(t.loc, "a throttle needs its window: throttle N per DURATION, e.g. throttle 10 per 1m");
    if (t.limit == 0 && t.per_loc.valid())
      Error(t.per_loc, "'per' is the window of a throttle: add 'throttle N'");
    if (t.limit == 0 && t.fold_loc.valid())
      Error(t.fold_loc,
            "'fold' folds identical alerts of a throttle: add 'throttle N per DURATION'");
  }

  void CheckCarried(ast::Value& f, const std::vector<std::pair<EventMask, std::string>>& sets,
                    const char* what) {
    if (f.kind != Kind::kField) {
      Error(f.loc, std::string(what) + " must be a field name");
      return;
    }
    auto id = FieldByName(f.text);
    if (!id) {
      diags_.Add(
          Code::kUnknownField, f.loc,
          "unknown " + std::string(what) + " " + Q(f.text) + DidYouMean(SuggestFieldNames(f.text)));
      return;
    }
    f.field = id;
    const FieldInfo& info = Field(*id);
    if (info.indexed) Error(f.loc, Q(info.name) + " needs an index and cannot be a " + what);
    for (const auto& [mask, who] : sets) {
      EventMask missing = mask & ~info.events;
      if (!missing) continue;
      auto& d = Error(f.loc, std::string(what) + " " + Q(info.name) + " is not carried by " +
                                 EventMaskNames(missing) + " events of " + who +
                                 ", so those events would all share one absent value");
      d.notes.push_back(std::string(info.name) + " exists on: " + EventMaskNames(info.events));
    }
  }

  void CheckSteps(ast::RuleDecl& r) {
    ast::Correlation& c = r.correlation;
    if (r.has_on)
      Error(r.on_loc,
            "a rule with steps takes its event types from them: remove 'on' and "
            "write 'step NAME on TYPES ...'");
    if (c.kind == CKind::kSequence && c.steps.size() < 2)
      Error(c.steps.front().loc, "a sequence needs at least two steps (for one, use 'count')");
    if (c.steps.size() > static_cast<size_t>(kMaxCorrelationSteps))
      Error(c.steps[kMaxCorrelationSteps].loc,
            "a rule has at most " + std::to_string(kMaxCorrelationSteps) + " steps");
    std::set<std::string> names;
    for (auto& st : c.steps) {
      if (!names.insert(st.name).second) Error(st.loc, "step " + Q(st.name) + " is named twice");
      if (IsFieldNamespace(st.name))
        Error(st.loc, "step " + Q(st.name) + " has the name fields start with (" + st.name +
                          ".name, ...), so " + st.name +
                          ".FIELD could not refer to it; choose another name");
      st.events = st.on_all ? kAllEvents : 0;
      if (st.on_all)
        Error(st.on_loc,
              "step " + Q(st.name) + " selects every event type; name the types it needs");
      for (const auto& ev : st.on) {
        auto type = ev.kind == Kind::kWord || ev.kind == Kind::kString ? EventTypeByName(ev.text)
                                                                       : std::nullopt;
        if (!type) {
          std::vector<std::string_view> all;
          for (const auto& t : AllEventTypes()) all.push_back(t.name);
          diags_.Add(Code::kUnknownEventType, ev.loc,
                     "unknown event type " + Q(ev.text) + DidYouMean(Suggest(ev.text, all)));
          continue;
        }
        st.events |= Bit(*type);
      }
    }
    // The rule watches what its steps watch (the kernel plan reads rule.events).
    r.events = 0;
    for (const auto& st : c.steps) r.events |= st.events;
    r.has_on = true;
    for (size_t i = 0; i < c.steps.size(); ++i) {
      auto& st = c.steps[i];
      if (!st.when) continue;
      ExtractJoins(c, i, *st.when, true);
      if (st.when->op == ast::Op::kBare && st.when->lhs.kind == Kind::kBool &&
          st.when->lhs.boolean && !st.joins.empty())
        st.when.reset();  // the condition was only joins
    }
  }

  // The step a field reference names ("written.file.path" -> written), if any.
  std::optional<size_t> StepOf(const ast::Correlation& c, const std::string& text,
                               std::string* rest) const {
    auto dot = text.find('.');
    if (dot == std::string::npos) return std::nullopt;
    std::string head = text.substr(0, dot);
    if (IsFieldNamespace(head)) return std::nullopt;  // a field (reported at the step)
    for (size_t i = 0; i < c.steps.size(); ++i)
      if (c.steps[i].name == head) {
        *rest = text.substr(dot + 1);
        return i;
      }
    return std::nullopt;
  }

  // Takes `FIELD == STEP.FIELD` conjuncts at the top of step `i`'s condition out as joins;
  // reports any other reference to a step.
  void ExtractJoins(ast::Correlation& c, size_t i, ast::Expr& e, bool top) {
    if (top && e.op == ast::Op::kAnd) {
      for (auto& child : e.children) ExtractJoins(c, i, child, true);
      return;
    }
    if (top && e.op == ast::Op::kEq && TryJoin(c, i, e)) {
      StandInTrue(e);
      return;
    }
    for (auto& child : e.children) ExtractJoins(c, i, child, false);
    bool stray = false;
    for (ast::Value* v : {&e.lhs, &e.rhs}) stray |= ReportStray(c, i, *v);
    // The test stands in as `true`, so that the type checker does not report it again.
    if (stray) StandInTrue(e);
  }

  static void StandInTrue(ast::Expr& e) {
    ast::Expr t;
    t.op = ast::Op::kBare;
    t.loc = e.loc;
    t.lhs.kind = Kind::kBool;
    t.lhs.boolean = true;
    e = std::move(t);
  }

  // Reports a reference to a step that is not a join; true when there was one.
  bool ReportStray(const ast::Correlation& c, size_t i, const ast::Value& v) {
    bool stray = false;
    for (const auto& item : v.items) stray |= ReportStray(c, i, item);
    if (v.kind != Kind::kField) return stray;
    std::string rest;
    auto s = StepOf(c, v.text, &rest);
    if (!s) return stray;
    if (*s >= i) {
      LaterStep(c, i, *s, v.loc);
    } else {
      Error(v.loc, "step " + Q(c.steps[i].name) + " reads " + Q(v.text) +
                       " of an earlier step only as 'FIELD == " + v.text +
                       "' at the top of its condition (joined by 'and')");
    }
    return true;
  }

  void LaterStep(const ast::Correlation& c, size_t i, size_t s, SourceLoc loc) {
    if (c.kind == CKind::kAnyOrder)
      Error(loc,
            "steps in any order cannot refer to each other: a reference needs 'steps "
            "in_order', where step " +
                Q(c.steps[s].name) + " comes first");
    else if (s == i)
      Error(loc, "step " + Q(c.steps[i].name) +
                     " refers to itself; a step reads fields of "
                     "earlier steps only");
    else
      Error(loc, "step " + Q(c.steps[i].name) + " refers to step " + Q(c.steps[s].name) +
                     ", which comes later; a step reads fields of earlier steps only");
  }

  bool TryJoin(ast::Correlation& c, size_t i, ast::Expr& e) {
    std::string rest;
    ast::Value* mine = nullptr;
    ast::Value* theirs = nullptr;
    std::optional<size_t> s;
    if (e.rhs.kind == Kind::kField && (s = StepOf(c, e.rhs.text, &rest))) {
      mine = &e.lhs;
      theirs = &e.rhs;
    } else if (e.lhs.kind == Kind::kField && (s = StepOf(c, e.lhs.text, &rest))) {
      mine = &e.rhs;
      theirs = &e.lhs;
    }
    if (!s) return false;
    if (*s >= i || c.kind == CKind::kAnyOrder) {
      LaterStep(c, i, *s, theirs->loc);
      return true;
    }
    if (mine->kind != Kind::kField) {
      Error(mine->loc,
            "a step reference is compared with a field of this step: FIELD == " + theirs->text);
      return true;
    }
    ast::StepJoin j;
    j.loc = e.loc;
    j.step = *s;
    j.field = *mine;
    j.step_field = *theirs;
    j.step_field.text = rest;
    j.step_field.loc = theirs->loc;
    auto a = Resolve(j.field, c.steps[i]);
    auto b = Resolve(j.step_field, c.steps[*s]);
    if (a && b && Field(*a).type != Field(*b).type)
      Error(e.loc, Q(Field(*a).name) + " is " + std::string(TypeName(Field(*a).type)) + " but " +
                       Q(theirs->text) + " is " + std::string(TypeName(Field(*b).type)) +
                       ": a step reference compares fields of one type");
    if (a && b) c.steps[i].joins.push_back(std::move(j));
    return true;
  }

  std::optional<FieldId> Resolve(ast::Value& f, const ast::Step& st) {
    auto id = FieldByName(f.text);
    if (!id) {
      diags_.Add(Code::kUnknownField, f.loc,
                 "unknown field " + Q(f.text) + DidYouMean(SuggestFieldNames(f.text)));
      return std::nullopt;
    }
    const FieldInfo& info = Field(*id);
    if (info.indexed || info.type == Type::kStringList) {
      Error(f.loc, Q(info.name) + " is a list; a step reference compares single values");
      return std::nullopt;
    }
    if (st.events & ~info.events) {
      Error(f.loc, Q(info.name) + " is not carried by " + EventMaskNames(st.events & ~info.events) +
                       " events of step " + Q(st.name))
          .notes.push_back(std::string(info.name) + " exists on: " + EventMaskNames(info.events));
      return std::nullopt;
    }
    f.field = id;
    return id;
  }

  Diagnostic& Error(SourceLoc loc, std::string msg) {
    if (!loc.valid() && rule_) loc = rule_->loc;
    return diags_.Add(Code::kBadCorrelation, loc, std::move(msg));
  }

  Program& p_;
  Diagnostics& diags_;
  const ast::RuleDecl* rule_ = nullptr;
};

}  // namespace

void CheckCorrelations(Program& program, Diagnostics& diags) {
  CorrelationChecker(program, diags).Run();
}

}  // namespace vigil::lang
