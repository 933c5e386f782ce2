// Pass 4: types. Every field is resolved against the registry, every operator is checked
// against its operands' types, every literal against the field it meets, and every field
// against the event types the rule selects. Also checks output templates and test cases.
#include <arpa/inet.h>
#include <re2/re2.h>

#include <set>

#include "lang/passes.h"
#include "lang/suggest.h"
#include "lang/values.h"

namespace vigil::lang {
namespace {

using Kind = ast::Value::Kind;

std::string Q(std::string_view s) { return "'" + std::string(s) + "'"; }

bool IsNumeric(Type t) { return t == Type::kInt || t == Type::kUint; }
bool IsLiteral(const ast::Value& v) {
  return v.kind == Kind::kString || v.kind == Kind::kInt || v.kind == Kind::kBool;
}

std::string ConstantHint(const FieldInfo& f, std::string_view name) {
  std::vector<std::string_view> names;
  for (const auto& c : *f.constants) names.push_back(c.name);
  auto sugg = Suggest(name, names);
  if (!sugg.empty()) return DidYouMean(sugg);
  std::string out = "; known: ";
  for (size_t i = 0; i < names.size() && i < 8; ++i) out += (i ? ", " : "") + std::string(names[i]);
  if (names.size() > 8) out += ", ...";
  return out;
}

class TypeChecker {
 public:
  TypeChecker(Program& p, Diagnostics& d) : p_(p), diags_(d) {}

  void Run() {
    for (auto& [name, body] : p_.macro_bodies) {
      events_ = kAllEvents;
      rule_ = nullptr;
      Check(body);
    }
    for (auto* rule : p_.rule_order) CheckRule(*rule);
    for (const auto* test : p_.tests) CheckTest(*test);
  }

 private:
  // ---- rules ----------------------------------------------------------------------

  void CheckRule(ast::RuleDecl& rule) {
    rule_ = &rule;
    rule.events = 0;
    if (!rule.has_on) {
      diags_.Add(Code::kRuleWithoutOn, rule.loc,
                 "rule '" + rule.name + "' has no 'on': say which event types it watches, e.g. "
                 "'on exec' or 'on [open, unlink]'");
      rule.events = kAllEvents;  // check the rest as if every event could reach it
    } else if (rule.on_all) {
      rule.events = kAllEvents;
    }
    for (const auto& ev : rule.on) {
      if (ev.kind != Kind::kWord && ev.kind != Kind::kString) {
        diags_.Add(Code::kUnknownEventType, ev.loc, "'on' takes event type names");
        continue;
      }
      auto type = EventTypeByName(ev.text);
      if (!type) {
        std::vector<std::string_view> names;
        for (const auto& t : AllEventTypes()) names.push_back(t.name);
        diags_.Add(Code::kUnknownEventType, ev.loc,
                   "unknown event type " + Q(ev.text) + DidYouMean(Suggest(ev.text, names)))
            .notes.push_back("`vigil fields` lists the event types and the fields each carries");
        continue;
      }
      rule.events |= Bit(*type);
    }
    if (rule.has_on && rule.events == kAllEvents) {
      diags_.Add(Code::kRuleOnEveryEvent, rule.on_loc,
                 "rule '" + rule.name + "' selects every event type: each syscall vigil can see "
                 "will be delivered from the kernel and evaluated; name the types it needs");
    }
    if (rule.events == 0) rule.events = kAllEvents;  // only unknown types: avoid cascades
    events_ = rule.events;
    if (rule.when) Check(*rule.when);
    CheckOutput(rule);
    rule_ = nullptr;
  }

  void CheckOutput(const ast::RuleDecl& rule) {
    const std::string& raw = rule.output_raw;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '{' && i + 1 < raw.size() && raw[i + 1] == '{') {
        ++i;
        continue;
      }
      if (raw[i] != '{') continue;
      size_t close = raw.find('}', i);
      if (close == std::string::npos) break;
      std::string name = raw.substr(i + 1, close - i - 1);
      SourceLoc loc = rule.output_loc;
      loc.column += static_cast<uint32_t>(i + 1);
      loc.length = static_cast<uint32_t>(name.size());
      ast::Value v;
      v.kind = Kind::kField;
      v.loc = loc;
      auto bracket = name.find('[');
      if (bracket != std::string::npos && name.back() == ']') {
        v.index = std::atoi(name.c_str() + bracket + 1);
        name.resize(bracket);
      }
      v.text = name;
      if (!FieldByName(name)) {
        diags_.Add(Code::kOutputUnknownField, loc,
                   "output names unknown field " + Q(name) + DidYouMean(SuggestFieldNames(name)))
            .notes.push_back("write {{ and }} for literal braces");
        continue;
      }
      in_output_ = true;
      ResolveField(v, true, "");
      in_output_ = false;
      i = close;
    }
  }

  // ---- conditions -----------------------------------------------------------------

  void Check(ast::Expr& e) {
    const bool mine = e.from_macro.empty() || rule_ == nullptr;
    for (auto& c : e.children) Check(c);
    if (e.follow && mine)
      diags_.Add(Code::kMisplaced, e.loc,
                 "'follow' only has meaning in a policy scope, where it makes children of "
                 "matching processes match too");
    switch (e.op) {
      case ast::Op::kAnd:
      case ast::Op::kOr:
      case ast::Op::kNot:
        return;
      case ast::Op::kBare:
        CheckBare(e, mine);
        return;
      case ast::Op::kExists:
        if (e.lhs.kind == Kind::kField) ResolveField(e.lhs, mine, e.from_macro);
        return;
      default:
        CheckPredicate(e, mine);
    }
  }

  void CheckBare(ast::Expr& e, bool report) {
    if (e.lhs.kind == Kind::kBool) return;
    if (e.lhs.kind == Kind::kField) {
      auto t = ResolveField(e.lhs, report, e.from_macro);
      if (t && *t != Type::kBool && report)
        diags_.Add(Code::kTypeMismatch, e.lhs.loc,
                   Q(e.lhs.text) + " is " + std::string(TypeName(*t)) +
                       ", not bool: a condition needs a comparison here, e.g. " + e.lhs.text +
                       (IsNumeric(*t) ? " == 0" : " == \"...\""));
      return;
    }
    if (report)
      diags_.Add(Code::kTypeMismatch, e.lhs.loc, "a condition must be true or false, not a value");
  }

  std::optional<Type> OperandType(ast::Value& v, bool report, const std::string& macro) {
    switch (v.kind) {
      case Kind::kField: return ResolveField(v, report, macro);
      case Kind::kString: return Type::kString;
      case Kind::kInt: return Type::kInt;
      case Kind::kBool: return Type::kBool;
      case Kind::kCall: return CallType(v, report, macro);
      default: return std::nullopt;
    }
  }

  std::optional<Type> CallType(ast::Value& call, bool report, const std::string& macro) {
    static const std::vector<std::string_view> kFns = {"lower", "basename", "dirname", "len",
                                                       "cidr"};
    const std::string& fn = call.text;
    if (fn == "cidr") {
      if (report)
        diags_.Add(Code::kUnknownFunction, call.loc,
                   "cidr() is a set of addresses: use it on the right of 'in', e.g. "
                   "net.daddr in [cidr(\"10.0.0.0/8\")]");
      return std::nullopt;
    }
    bool known = false;
    for (auto f : kFns) known |= f == fn;
    if (!known) {
      if (report)
        diags_.Add(Code::kUnknownFunction, call.loc,
                   "unknown function " + Q(fn) + DidYouMean(Suggest(fn, kFns)) +
                       "; transformers are lower(), basename(), dirname(), len()");
      return std::nullopt;
    }
    if (call.items.size() != 1) {
      if (report)
        diags_.Add(Code::kUnknownFunction, call.loc, fn + "() takes exactly one argument");
      return std::nullopt;
    }
    auto arg = OperandType(call.items[0], report, macro);
    if (!arg) return std::nullopt;
    if (fn == "len") {
      if (*arg != Type::kString && *arg != Type::kStringList) {
        if (report)
          diags_.Add(Code::kOperatorNotForType, call.loc,
                     "len() takes a string or a list, not " + std::string(TypeName(*arg)));
        return std::nullopt;
      }
      return Type::kInt;
    }
    if (*arg != Type::kString) {
      if (report)
        diags_.Add(Code::kOperatorNotForType, call.loc,
                   fn + "() takes a string, not " + std::string(TypeName(*arg)));
      return std::nullopt;
    }
    return Type::kString;
  }

  // Resolves a field reference; reports unknown fields (when `report`) and fields that no
  // event of the current rule carries (always: a macro's field can be wrong for one rule).
  std::optional<Type> ResolveField(ast::Value& v, bool report, const std::string& macro) {
    auto id = FieldByName(v.text);
    if (!id) {
      if (report && !p_.IsUnparsed(v.text))
        diags_.Add(Code::kUnknownField, v.loc, "unknown field " + Q(v.text) +
                                                   DidYouMean(SuggestFieldNames(v.text)));
      return std::nullopt;
    }
    v.field = id;
    const FieldInfo& f = Field(*id);
    if (report && f.indexed && v.index < 0)
      diags_.Add(Code::kMisplaced, v.loc,
                 Q(f.name) + " needs an index: " + std::string(f.name) + "[1] is the parent");
    if (report && !f.indexed && v.index >= 0)
      diags_.Add(Code::kMisplaced, v.loc, Q(f.name) + " takes no index");
    if (report && f.indexed && v.index == 0)
      diags_.Add(Code::kMisplaced, v.loc,
                 std::string(f.name) + "[0] is the process itself: use proc.name; [1] is the parent");
    if (rule_ && !(f.events & events_)) {
      auto& d = diags_.Add(Code::kFieldNotOnEvents, v.loc,
                           Q(f.name) + " is not carried by " + EventMaskNames(events_) +
                               (in_output_ ? " events, so the output can never show it"
                                           : " events, so this condition can never be true"));
      d.notes.push_back(std::string(f.name) + " exists on: " + EventMaskNames(f.events));
      if (!macro.empty())
        d.notes.push_back("it comes from macro '" + macro + "', used by rule '" + rule_->name + "'");
    }
    return f.type;
  }

  // ---- predicates -----------------------------------------------------------------

  void CheckPredicate(ast::Expr& e, bool report) {
    const std::string op = ast::OpName(e.op);
    if (IsLiteral(e.lhs) && (e.rhs.kind == Kind::kField || e.rhs.kind == Kind::kCall)) {
      if (report)
        diags_.Add(Code::kMisplaced, e.lhs.loc,
                   "put the field on the left of '" + op + "': " + e.rhs.text + " " + op + " ...");
      return;
    }
    auto lt = OperandType(e.lhs, report, e.from_macro);
    if (!lt) {
      if (report && IsLiteral(e.lhs))
        diags_.Add(Code::kMisplaced, e.lhs.loc,
                   "the left of '" + op + "' must be a field or a transformer such as lower(...)");
      return;
    }
    const FieldInfo* field = e.lhs.field ? &Field(*e.lhs.field) : nullptr;
    auto not_for_type = [&](const std::string& hint) {
      if (report)
        diags_.Add(Code::kOperatorNotForType, e.loc,
                   "'" + op + "' does not apply to " + std::string(TypeName(*lt)) +
                       (field ? " field " + Q(field->name) : std::string(" values")) + hint);
    };
    switch (e.op) {
      case ast::Op::kEq:
      case ast::Op::kNe:
        if (*lt == Type::kStringList) return not_for_type("; use 'contains' or 'intersects'");
        CheckScalar(*lt, field, e.rhs, report, e.from_macro);
        return;
      case ast::Op::kLt:
      case ast::Op::kLe:
      case ast::Op::kGt:
      case ast::Op::kGe:
        if (!IsNumeric(*lt)) return not_for_type("; ordering needs a number");
        CheckScalar(*lt, field, e.rhs, report, e.from_macro);
        return;
      case ast::Op::kContains:
        if (*lt == Type::kFlags) {
          CheckScalar(*lt, field, e.rhs, report, e.from_macro);
          return;
        }
        if (*lt == Type::kStringList) {
          CheckScalar(Type::kString, nullptr, e.rhs, report, e.from_macro);
          return;
        }
        [[fallthrough]];
      case ast::Op::kIContains:
      case ast::Op::kStartsWith:
      case ast::Op::kEndsWith:
        if (*lt != Type::kString) return not_for_type(StringOpHint(*lt));
        CheckScalar(Type::kString, nullptr, e.rhs, report, e.from_macro);
        return;
      case ast::Op::kGlob:
      case ast::Op::kMatches:
        if (*lt != Type::kString) return not_for_type(StringOpHint(*lt));
        CheckPattern(e, report);
        return;
      case ast::Op::kIn:
      case ast::Op::kNotIn:
        if (*lt == Type::kStringList || *lt == Type::kFlags)
          return not_for_type("; use 'intersects' to test for any common element");
        if (*lt == Type::kBool) return not_for_type("; compare with == true or == false");
        CheckSet(*lt, field, e.rhs, report);
        return;
      case ast::Op::kIntersects:
        if (*lt != Type::kStringList && *lt != Type::kFlags)
          return not_for_type("; 'intersects' takes a list or flags field (use 'in' for one value)");
        CheckSet(*lt == Type::kStringList ? Type::kString : Type::kFlags, field, e.rhs, report);
        return;
      default:
        return;
    }
  }

  static std::string StringOpHint(Type t) {
    if (t == Type::kStringList) return "; use 'contains' for an element or 'intersects' for a list";
    if (IsNumeric(t)) return "; compare numbers with == < <= > >=";
    return "";
  }

  void CheckPattern(ast::Expr& e, bool report) {
    if (e.rhs.kind != Kind::kString) {
      if (report)
        diags_.Add(Code::kTypeMismatch, e.rhs.loc,
                   std::string("'") + ast::OpName(e.op) + "' takes a pattern in a string literal");
      return;
    }
    if (!report) return;
    if (e.op == ast::Op::kMatches) {
      RE2 re(e.rhs.text, RE2::Quiet);
      if (!re.ok())
        diags_.Add(Code::kBadRegex, e.rhs.loc, "invalid regular expression: " + re.error())
            .notes.push_back("vigil uses RE2 syntax (no backreferences or lookaround); "
                             "single-quoted strings need no escaping of backslashes");
    } else if (auto glob = CheckGlob(e.rhs.text); !glob) {
      diags_.Add(Code::kBadGlob, e.rhs.loc, "invalid glob: " + glob.error());
    }
  }

  // A single value compared with a field of type `t`.
  void CheckScalar(Type t, const FieldInfo* field, ast::Value& v, bool report,
                   const std::string& macro) {
    if (v.kind == Kind::kField) {
      if (field && field->constants && v.index < 0 && !FieldByName(v.text)) {
        if (auto c = ConstantValue(*field, v.text)) {
          v.constant = c;
          return;
        }
        if (report)
          diags_.Add(Code::kUnknownFlag, v.loc,
                     Q(v.text) + " is not a known constant of " + std::string(field->name) +
                         ConstantHint(*field, v.text));
        return;
      }
      if (!FieldByName(v.text) && t == Type::kString) {
        if (report && !p_.IsUnparsed(v.text))
          diags_
              .Add(Code::kUnknownField, v.loc,
                   "unknown field " + Q(v.text) + DidYouMean(SuggestFieldNames(v.text)))
              .notes.push_back("to compare with the text itself, quote it: \"" + v.text + "\"");
        return;
      }
      auto rt = ResolveField(v, report, macro);
      if (rt && !Compatible(t, *rt) && report)
        diags_.Add(Code::kTypeMismatch, v.loc,
                   "cannot compare " + std::string(TypeName(t)) + " with " +
                       std::string(TypeName(*rt)) + " field " + Q(v.text));
      return;
    }
    if (v.kind == Kind::kCall) {
      auto rt = CallType(v, report, macro);
      if (rt && !Compatible(t, *rt) && report)
        diags_.Add(Code::kTypeMismatch, v.loc,
                   "cannot compare " + std::string(TypeName(t)) + " with " + std::string(TypeName(*rt)));
      return;
    }
    if (!report) return;
    if (auto problem = LiteralProblem(t, field, v)) diags_.Add(Code::kTypeMismatch, v.loc, *problem);
  }

  static bool Compatible(Type a, Type b) {
    if (a == b) return true;
    if (IsNumeric(a) && IsNumeric(b)) return true;
    if ((a == Type::kFlags && IsNumeric(b)) || (b == Type::kFlags && IsNumeric(a))) return true;
    return false;
  }

  // Why literal `v` cannot stand for a value of type `t`, if it cannot.
  std::optional<std::string> LiteralProblem(Type t, const FieldInfo* field, ast::Value& v) {
    auto mismatch = [&](const char* what) {
      return std::optional<std::string>(std::string(TypeName(t)) + " value expected, found " + what);
    };
    switch (t) {
      case Type::kString:
        if (v.kind == Kind::kString || v.kind == Kind::kWord) return std::nullopt;
        return mismatch(v.kind == Kind::kInt ? "a number (quote it if you mean the text)" : "a boolean");
      case Type::kInt:
      case Type::kUint:
      case Type::kFlags:
        if (v.kind == Kind::kInt) {
          if (t != Type::kInt && v.number < 0)
            return std::optional<std::string>(std::string(TypeName(t)) + " values are never negative");
          return std::nullopt;
        }
        if (v.kind == Kind::kWord && field && field->constants) {
          if (auto c = ConstantValue(*field, v.text)) {
            v.constant = c;
            return std::nullopt;
          }
          return Q(v.text) + " is not a known constant of " + std::string(field->name) +
                 ConstantHint(*field, v.text);
        }
        return mismatch(v.kind == Kind::kString || v.kind == Kind::kWord ? "a string" : "a boolean");
      case Type::kBool:
        if (v.kind == Kind::kBool) return std::nullopt;
        return mismatch("a non-boolean");
      case Type::kAddress:
        if (v.kind == Kind::kString || v.kind == Kind::kWord) {
          if (IsIpAddress(v.text)) return std::nullopt;
          return Q(v.text) + " is not an IPv4 or IPv6 address";
        }
        return mismatch("a non-address");
      case Type::kStringList:
        return mismatch("a single value");
    }
    return std::nullopt;
  }

  // The right side of `in` / `intersects`: a list literal, a named list or cidr().
  void CheckSet(Type t, const FieldInfo* field, ast::Value& set, bool report) {
    if (!report) return;
    if (set.kind == Kind::kCall) {
      CheckSetItem(t, field, set);
      return;
    }
    std::vector<ast::Value>* items = nullptr;
    if (set.kind == Kind::kList) items = &set.items;
    if (set.kind == Kind::kListRef) {
      auto it = p_.lists.find(set.text);
      if (it == p_.lists.end()) return;  // reported by name resolution
      items = &const_cast<ast::ListDecl*>(it->second)->items;
    }
    if (!items) return;
    for (auto& item : *items) CheckSetItem(t, field, item);
  }

  void CheckSetItem(Type t, const FieldInfo* field, ast::Value& item) {
    // Items of a named list are checked once per (item, type), not once per use.
    if (!checked_items_.insert({&item, static_cast<int>(t)}).second) return;
    if (item.kind == Kind::kCall) {
      if (item.text != "cidr" || item.items.size() != 1 || item.items[0].kind != Kind::kString) {
        diags_.Add(Code::kUnknownFunction, item.loc,
                   "a set may hold cidr(\"ADDR/BITS\") and literals, not " + item.text + "(...)");
        return;
      }
      if (t != Type::kAddress) {
        diags_.Add(Code::kTypeMismatch, item.loc,
                   "cidr() holds addresses; this field is " + std::string(TypeName(t)));
        return;
      }
      if (auto cidr = ParseCidr(item.items[0].text); !cidr)
        diags_.Add(Code::kBadCidr, item.items[0].loc,
                   "invalid CIDR " + Q(item.items[0].text) + ": " + cidr.error());
      return;
    }
    if (item.kind == Kind::kRange) {
      if (!IsNumeric(t))
        diags_.Add(Code::kTypeMismatch, item.loc, "a range needs a numeric field, not " + std::string(TypeName(t)));
      else if (item.number > item.number_hi)
        diags_.Add(Code::kTypeMismatch, item.loc, "empty range: the low end is above the high end");
      return;
    }
    if (item.kind == Kind::kQualified) {
      diags_.Add(Code::kMisplaced, item.loc, "qualified items (x:y) are only meaningful in policies");
      return;
    }
    if (auto problem = LiteralProblem(t, field, item)) {
      Code code = t == Type::kFlags && item.kind == Kind::kWord ? Code::kUnknownFlag : Code::kTypeMismatch;
      diags_.Add(code, item.loc, *problem);
    }
  }

  // ---- tests ----------------------------------------------------------------------

  void CheckTest(const ast::TestDecl& test) {
    auto it = p_.rules.find(test.rule);
    if (it == p_.rules.end()) return;  // reported by name resolution
    const ast::RuleDecl& rule = *it->second;
    for (const auto& tc : test.cases) {
      auto type = EventTypeByName(tc.event);
      if (!type) {
        std::vector<std::string_view> names;
        for (const auto& t : AllEventTypes()) names.push_back(t.name);
        diags_.Add(Code::kUnknownEventType, tc.event_loc,
                   "unknown event type " + Q(tc.event) + DidYouMean(Suggest(tc.event, names)));
        continue;
      }
      if (tc.expect_alert && !(rule.events & Bit(*type))) {
        diags_.Add(Code::kBadTestCase, tc.event_loc,
                   "rule '" + rule.name + "' watches " + EventMaskNames(rule.events) +
                       " events; an event of type " + tc.event + " can never make it alert");
      }
      rule_ = nullptr;
      for (const auto& [fref, value] : tc.fields) {
        ast::Value f = fref;
        auto t = ResolveField(f, true, "");
        if (!t) continue;
        const FieldInfo& info = Field(*f.field);
        if (!(info.events & Bit(*type))) {
          diags_.Add(Code::kFieldNotOnEvents, f.loc,
                     Q(info.name) + " is not carried by " + tc.event + " events")
              .notes.push_back(std::string(info.name) + " exists on: " + EventMaskNames(info.events));
          continue;
        }
        ast::Value v = value;
        if (*t == Type::kStringList || (*t == Type::kFlags && v.kind == Kind::kList)) {
          if (v.kind != Kind::kList) {
            diags_.Add(Code::kTypeMismatch, v.loc,
                       std::string(info.name) + " takes a list here, e.g. [" +
                           (*t == Type::kFlags ? "O_WRONLY, O_CREAT" : "\"a\", \"b\"") + "]");
            continue;
          }
          for (auto& item : v.items) {
            auto problem = LiteralProblem(*t == Type::kFlags ? Type::kFlags : Type::kString, &info, item);
            bool bad_flag = *t == Type::kFlags && item.kind == Kind::kWord;
            if (problem) diags_.Add(bad_flag ? Code::kUnknownFlag : Code::kTypeMismatch, item.loc, *problem);
          }
          continue;
        }
        if (v.kind == Kind::kList) {
          diags_.Add(Code::kTypeMismatch, v.loc, std::string(info.name) + " takes a single value");
          continue;
        }
        if (auto problem = LiteralProblem(*t, &info, v)) diags_.Add(Code::kTypeMismatch, v.loc, *problem);
      }
    }
  }

  Program& p_;
  Diagnostics& diags_;
  const ast::RuleDecl* rule_ = nullptr;
  EventMask events_ = kAllEvents;
  bool in_output_ = false;
  std::set<std::pair<const ast::Value*, int>> checked_items_;
};

}  // namespace

void CheckTypes(Program& p, Diagnostics& diags) { TypeChecker(p, diags).Run(); }

}  // namespace vigil::lang
