// Pass 4: types. Every field is resolved against the registry, every operator is checked
// against its operands' types, every literal against the field it meets, and every field
// against the event types the rule selects. Also checks output templates and test cases.
#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "lang/passes.h"
#include "lang/reachability.h"
#include "lang/suggest.h"
#include "lang/utf8.h"
#include "lang/values.h"

namespace vigil::lang {
namespace {

using Kind = ast::Value::Kind;

std::string Q(std::string_view s) {
  return "'" + std::string(s) + "'";
}

bool IsNumeric(Type t) {
  return t == Type::kInt || t == Type::kUint;
}
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
    if (!rule.correlation.steps.empty()) {
      CheckStepRule(rule);
      return;
    }
    rule.events = 0;
    if (!rule.has_on) {
      diags_.Add(Code::kRuleWithoutOn, rule.loc,
                 "rule '" + rule.name +
                     "' has no 'on': say which event types it watches, e.g. "
                     "'on exec' or 'on [open, unlink]'");
      rule.events = kAllEvents;  // check the rest as if every event could reach it
    } else if (rule.on_all) {
      rule.events = kAllEvents;
    }
    bool on_known = true;  // every type in `on` is a known type
    for (const auto& ev : rule.on) {
      if (ev.kind != Kind::kWord && ev.kind != Kind::kString) {
        diags_.Add(Code::kUnknownEventType, ev.loc, "'on' takes event type names");
        on_known = false;
        continue;
      }
      auto type = EventTypeByName(ev.text);
      if (!type) {
        std::vector<std::string_view> names;
        for (const auto& t : AllEventTypes()) names.push_back(t.name);
        diags_
            .Add(Code::kUnknownEventType, ev.loc,
                 "unknown event type " + Q(ev.text) + DidYouMean(Suggest(ev.text, names)))
            .notes.push_back("`vigil fields` lists the event types and the fields each carries");
        on_known = false;
        continue;
      }
      rule.events |= Bit(*type);
    }
    if (rule.has_on && rule.events == kAllEvents) {
      diags_.Add(Code::kRuleOnEveryEvent, rule.on_loc,
                 "rule '" + rule.name +
                     "' selects every event type: each syscall vigil can see "
                     "will be delivered from the kernel and evaluated; name the types it needs");
    }
    if (rule.events == 0) rule.events = kAllEvents;  // only unknown types: avoid cascades
    events_ = rule.events;
    fields_not_on_events_ = 0;
    bad_type_names_ = 0;
    CheckExceptionFields(rule);
    if (rule.when) Check(*rule.when);
    if (rule.when && rule.has_on && !rule.on_all && on_known) CheckReachable(rule);
    CheckOutput(rule);
    rule_ = nullptr;
  }

  // A rule with steps: its event types are its steps' (the correlation pass set rule.events);
  // its own condition applies to every step, and each step's to that step's types.
  void CheckStepRule(ast::RuleDecl& rule) {
    if (rule.events == 0) rule.events = kAllEvents;  // only unknown types: avoid cascades
    events_ = rule.events;
    fields_not_on_events_ = 0;
    bad_type_names_ = 0;
    CheckExceptionFields(rule);
    if (rule.when) Check(*rule.when);
    for (auto& st : rule.correlation.steps) {
      if (!st.when) continue;
      events_ = st.events ? st.events : kAllEvents;
      Check(*st.when);
    }
    events_ = rule.events;
    CheckOutput(rule);
    rule_ = nullptr;
  }

  // A named exception's fields against the rule's event types, once per field (its tuples,
  // which read the same fields, are not reported again).
  void CheckExceptionFields(const ast::RuleDecl& rule) {
    for (const auto& x : rule.exceptions) {
      if (!x.usable) continue;
      for (const auto& f : x.fields) {
        if (f.kind != Kind::kField) continue;
        auto id = FieldByName(f.text);
        if (!id || (Field(*id).events & events_)) continue;
        const FieldInfo& info = Field(*id);
        auto& d = diags_.Add(Code::kFieldNotOnEvents, f.loc,
                             "exception '" + x.name + "' tests " + Q(info.name) + ", which " +
                                 EventMaskNames(events_) +
                                 " events do not carry, so the exception never applies");
        d.notes.push_back(std::string(info.name) + " exists on: " + EventMaskNames(info.events));
        if (x.appended) d.notes.push_back("appended to rule '" + rule.name + "'");
      }
    }
  }

  // Event types in `on` that the condition can never match (V047), or all of them (V046).
  void CheckReachable(const ast::RuleDecl& rule) {
    // `evt.type == "execve"` was reported as what it is (V027).
    if (bad_type_names_ > 0) return;
    auto never = EventTypesNeverMatching(*rule.when, rule.events);
    if (never.empty()) return;
    EventMask never_mask = 0;
    for (const auto& n : never) never_mask |= Bit(n.type);
    auto add_reasons = [&](Diagnostic& d) {
      for (const auto& n : never)
        d.notes.push_back(std::string(EventTypeName(n.type)) + ": " + n.reason);
    };
    if (never_mask == rule.events) {
      // A field no type carries was already reported where it is read (V012).
      if (fields_not_on_events_ > 0) return;
      add_reasons(diags_.Add(Code::kRuleNeverFires, rule.when->loc,
                             "rule '" + rule.name + "' can never fire: no event type it watches (" +
                                 EventMaskNames(rule.events) + ") can satisfy its condition"));
      return;
    }
    add_reasons(diags_.Add(Code::kEventNeverMatches, rule.on_loc,
                           "rule '" + rule.name + "' can never match " +
                               EventMaskNames(never_mask) + " events; only " +
                               EventMaskNames(rule.events & ~never_mask) +
                               " events can satisfy its condition: remove the others from 'on'"));
  }

  // The output template, as OutputTemplate::Parse (engine/match) reads it: `{{` and `}}` are
  // literal braces, `{field}` and `{field[N]}` are fields. Positions are code points into the
  // string as written (`raw` includes its opening quote).
  void CheckOutput(const ast::RuleDecl& rule) {
    const std::string& raw = rule.output_raw;
    if (raw.size() < 2) return;
    const size_t end = raw.size() - 1;  // the closing quote
    auto loc_at = [&](size_t byte, size_t bytes) {
      SourceLoc loc = rule.output_loc;
      loc.column += CodePointCount(std::string_view(raw).substr(0, byte));
      loc.length = std::max<uint32_t>(1, CodePointCount(std::string_view(raw).substr(byte, bytes)));
      return loc;
    };
    auto template_error = [&](size_t byte, size_t bytes, std::string message) {
      diags_.Add(Code::kBadOutputTemplate, loc_at(byte, bytes), std::move(message));
    };
    const bool escapes = raw[0] == '"';
    for (size_t i = 1; i < end; ++i) {
      const char c = raw[i];
      if (escapes && c == '\\') {
        ++i;
        continue;
      }
      if ((c == '{' || c == '}') && i + 1 < end && raw[i + 1] == c) {
        ++i;
        continue;
      }
      if (c == '%' && i + 1 < end && (std::isalpha(static_cast<unsigned char>(raw[i + 1])))) {
        size_t j = i + 1;
        while (j < end &&
               (std::isalnum(static_cast<unsigned char>(raw[j])) || raw[j] == '_' || raw[j] == '.'))
          ++j;
        while (j > i + 1 && raw[j - 1] == '.') --j;  // "%proc.name." ends a sentence
        std::string name = raw.substr(i + 1, j - i - 1);
        if (FieldByName(name) || name.find('.') != std::string::npos)
          template_error(i, j - i,
                         "'%" + name + "' is printed as it is: vigil writes a field as {" + name +
                             "} (Falco's %field is not supported)");
        i = j - 1;
        continue;
      }
      if (c == '}') {
        template_error(i, 1, "unmatched '}' in the output template: write }} for a literal brace");
        continue;
      }
      if (c != '{') continue;
      size_t close = raw.find_first_of("{}", i + 1);
      if (close == std::string::npos || close >= end || raw[close] == '{') {
        template_error(i, 1,
                       "'{' is not closed in the output template: write {field}, or {{ for a "
                       "literal brace");
        continue;
      }
      CheckOutputField(raw.substr(i + 1, close - i - 1), loc_at(i + 1, close - i - 1));
      i = close;
    }
  }

  // `{name}` or `{name[N]}` in an output template: a field, with an index for indexed fields
  // (proc.aname[1]) and optionally for lists (proc.args[1] is argv[1]).
  void CheckOutputField(std::string name, SourceLoc loc) {
    ast::Value v;
    v.kind = Kind::kField;
    v.loc = loc;
    auto bracket = name.find('[');
    if (bracket != std::string::npos && name.ends_with(']') &&
        FieldByName(name.substr(0, bracket)) == FieldId::kProcEnv &&
        IsFieldKey(std::string_view(name).substr(bracket + 1, name.size() - bracket - 2))) {
      // {proc.env[NAME]}: the value of one selected environment variable.
      v.key = name.substr(bracket + 1, name.size() - bracket - 2);
      name.resize(bracket);
    } else if (bracket != std::string::npos) {
      std::string digits = name.substr(bracket + 1);
      bool ok = !digits.empty() && digits.back() == ']';
      if (ok) digits.pop_back();
      ok = ok && !digits.empty() && digits.size() <= 6 &&
           digits.find_first_not_of("0123456789") == std::string::npos;
      if (!ok) {
        diags_.Add(Code::kBadOutputTemplate, loc,
                   "'{" + name + "}': an index is a number in brackets, e.g. {proc.args[1]}, " +
                       "or a variable name for {proc.env[NAME]}");
        return;
      }
      v.index = std::stoi(digits);
      name.resize(bracket);
    }
    v.text = name;
    auto id = FieldByName(name);
    if (!id) {
      diags_
          .Add(Code::kOutputUnknownField, loc,
               "output names unknown field " + Q(name) + DidYouMean(SuggestFieldNames(name)))
          .notes.push_back("write {{ and }} for literal braces");
      return;
    }
    in_output_ = true;
    if (Field(*id).type == Type::kStringList && v.index >= 0) {
      // Element N of a list: the field itself is checked without the index.
      int index = v.index;
      v.index = -1;
      ResolveField(v, true, "");
      v.index = index;
    } else {
      ResolveField(v, true, "");
    }
    in_output_ = false;
  }

  // ---- conditions -----------------------------------------------------------------

  void Check(ast::Expr& e) {
    const bool saved = in_exception_;
    if (!e.from_exception.empty()) in_exception_ = true;
    CheckNode(e);
    in_exception_ = saved;
  }

  void CheckNode(ast::Expr& e) {
    const bool mine = e.from_macro.empty() || rule_ == nullptr;
    if (e.op == ast::Op::kNot) negated_ = !negated_;
    for (auto& c : e.children) Check(c);
    if (e.op == ast::Op::kNot) negated_ = !negated_;
    test_op_ = e.op;
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
      case Kind::kField:
        return ResolveField(v, report, macro);
      case Kind::kString:
        return Type::kString;
      case Kind::kInt:
        return Type::kInt;
      case Kind::kBool:
        return Type::kBool;
      case Kind::kCall:
        return CallType(v, report, macro);
      default:
        return std::nullopt;
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
        diags_.Add(Code::kUnknownField, v.loc,
                   "unknown field " + Q(v.text) + DidYouMean(SuggestFieldNames(v.text)));
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
      diags_.Add(
          Code::kMisplaced, v.loc,
          std::string(f.name) + "[0] is the process itself: use proc.name; [1] is the parent");
    // A keyed list (proc.env: NAME=value entries) read by name is the value, a string.
    const bool keyed = *id == FieldId::kProcEnv;
    if (report && !v.key.empty() && !keyed)
      diags_.Add(Code::kMisplaced, v.loc,
                 Q(f.name) + " takes no name in brackets (only proc.env[NAME] does)");
    if (rule_ && !(f.events & events_) && !in_exception_) {  // exceptions: CheckExceptionFields
      ++fields_not_on_events_;
      auto& d = diags_.Add(Code::kFieldNotOnEvents, v.loc,
                           Q(f.name) + " is not carried by " + EventMaskNames(events_) +
                               " events, so " + AbsentFieldEffect());
      d.notes.push_back(std::string(f.name) + " exists on: " + EventMaskNames(f.events));
      if (!macro.empty())
        d.notes.push_back("it comes from macro '" + macro + "', used by rule '" + rule_->name +
                          "'");
    }
    if (keyed && !v.key.empty()) return Type::kString;
    return f.type;
  }

  // What a field the event does not carry does to the test being checked: it never satisfies
  // a positive test, so it satisfies `!=` and `not in`; a `not` around the test flips that.
  std::string AbsentFieldEffect() const {
    if (in_output_) return "the output can never show it";
    const bool negative_op = test_op_ == ast::Op::kNe || test_op_ == ast::Op::kNotIn;
    std::string out = negative_op ? "this test is always true (a field an event does not carry "
                                    "satisfies '!=' and 'not in')"
                                  : "this test is never true";
    if (negated_)
      out += negative_op ? ", and the 'not' around it never true"
                         : ", and the 'not' around it always true";
    return out;
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
        if (report && IsEvtTypeField(e.lhs)) CheckEventTypeName(e.rhs);
        return;
      case ast::Op::kLt:
      case ast::Op::kLe:
      case ast::Op::kGt:
      case ast::Op::kGe:
        if (!IsNumeric(*lt)) return not_for_type("; ordering needs a number");
        CheckScalar(*lt, field, e.rhs, report, e.from_macro);
        return;
      case ast::Op::kContains:
      case ast::Op::kIContains:
      case ast::Op::kStartsWith:
      case ast::Op::kEndsWith:
        if (e.rhs.kind == Kind::kList || e.rhs.kind == Kind::kListRef) {
          CheckAnyOf(e, *lt, field, report);
          return;
        }
        if (e.op != ast::Op::kContains) {
          if (*lt != Type::kString) return not_for_type(StringOpHint(*lt));
          CheckScalar(Type::kString, nullptr, e.rhs, report, e.from_macro);
          return;
        }
        if (*lt == Type::kFlags) {
          CheckScalar(*lt, field, e.rhs, report, e.from_macro);
          return;
        }
        if (*lt == Type::kStringList) {
          CheckScalar(Type::kString, nullptr, e.rhs, report, e.from_macro);
          return;
        }
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
        if (report && IsEvtTypeField(e.lhs) && e.rhs.kind == Kind::kList)
          for (const auto& item : e.rhs.items) CheckEventTypeName(item);
        return;
      case ast::Op::kIntersects:
        if (*lt != Type::kStringList && *lt != Type::kFlags)
          return not_for_type(
              "; 'intersects' takes a list or flags field (use 'in' for one value)");
        CheckSet(*lt == Type::kStringList ? Type::kString : Type::kFlags, field, e.rhs, report);
        return;
      default:
        return;
    }
  }

  // `startswith`, `endswith`, `contains`, `icontains` against a list (Falco's pmatch): true
  // when the string field meets any item. Only strings: a list field wants `intersects`.
  void CheckAnyOf(ast::Expr& e, Type lt, const FieldInfo* field, bool report) {
    const std::string op = ast::OpName(e.op);
    if (lt == Type::kStringList || lt == Type::kFlags) {
      if (report)
        diags_.Add(Code::kOperatorNotForType, e.loc,
                   "'" + op + "' against a list takes a string field; " +
                       (field ? Q(field->name) : std::string("this value")) + " is " +
                       std::string(TypeName(lt)) +
                       (e.op == ast::Op::kContains
                            ? ": use 'intersects' to test for any common element"
                            : ": test one element with 'contains', or use 'intersects'"));
      return;
    }
    if (lt != Type::kString) {
      if (report)
        diags_.Add(Code::kOperatorNotForType, e.loc,
                   "'" + op + "' does not apply to " + std::string(TypeName(lt)) +
                       (field ? " field " + Q(field->name) : std::string(" values")) +
                       StringOpHint(lt) + (IsNumeric(lt) ? "; for several values use 'in'" : ""));
      return;
    }
    CheckSet(Type::kString, nullptr, e.rhs, report);
    if (!report) return;
    const std::vector<ast::Value>* items = &e.rhs.items;
    if (e.rhs.kind == Kind::kListRef) {
      auto it = p_.lists.find(e.rhs.text);
      if (it == p_.lists.end()) return;
      items = &it->second->items;
    }
    for (const auto& item : *items)
      if ((item.kind == Kind::kString || item.kind == Kind::kWord) && item.text.empty() &&
          e.op != ast::Op::kEq) {
        diags_.Add(Code::kTypeMismatch, item.loc,
                   "an empty string here makes '" + op + "' true for every value");
        return;
      }
  }

  static bool IsEvtTypeField(const ast::Value& v) {
    return v.kind == Kind::kField && v.field == FieldId::kEvtType;
  }

  // A name compared with evt.type must be an event type: `evt.type == "execve"` never matches
  // (vigil's type is exec).
  void CheckEventTypeName(const ast::Value& v) {
    if (v.kind != Kind::kString && v.kind != Kind::kWord) return;
    if (EventTypeByName(v.text)) return;
    ++bad_type_names_;
    std::vector<std::string_view> names;
    for (const auto& t : AllEventTypes()) names.push_back(t.name);
    auto sugg = Suggest(v.text, names);
    // Syscall names that vigil reports under another type: execve -> exec, openat -> open.
    if (sugg.empty())
      for (const auto& t : AllEventTypes())
        for (size_t at = t.sources.find(v.text); at != std::string_view::npos;
             at = t.sources.find(v.text, at + 1)) {
          size_t end = at + v.text.size();
          bool word = (at == 0 || t.sources[at - 1] == ' ') &&
                      (end == t.sources.size() || t.sources[end] == ',');
          if (word) sugg.push_back(std::string(t.name));
        }
    diags_
        .Add(Code::kUnknownEventType, v.loc,
             Q(v.text) + " is not an event type, so evt.type never equals it" + DidYouMean(sugg))
        .notes.push_back(
            "`vigil fields` lists the event types; evt.type holds vigil's type name, "
            "not the syscall's");
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
            .notes.push_back(
                "vigil uses RE2 syntax (no backreferences or lookaround); "
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
        diags_.Add(
            Code::kTypeMismatch, v.loc,
            "cannot compare " + std::string(TypeName(t)) + " with " + std::string(TypeName(*rt)));
      return;
    }
    if (!report) return;
    if (auto problem = LiteralProblem(t, field, v))
      diags_.Add(Code::kTypeMismatch, v.loc, *problem);
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
      return std::optional<std::string>(std::string(TypeName(t)) + " value expected, found " +
                                        what);
    };
    switch (t) {
      case Type::kString:
        if (v.kind == Kind::kString || v.kind == Kind::kWord) return std::nullopt;
        return mismatch(v.kind == Kind::kInt ? "a number (quote it if you mean the text)"
                                             : "a boolean");
      case Type::kInt:
      case Type::kUint:
      case Type::kFlags:
        if (v.kind == Kind::kInt) {
          if (t != Type::kInt && v.number < 0)
            return std::optional<std::string>(std::string(TypeName(t)) +
                                              " values are never negative");
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
        return mismatch(v.kind == Kind::kString || v.kind == Kind::kWord ? "a string"
                                                                         : "a boolean");
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
        diags_.Add(Code::kTypeMismatch, item.loc,
                   "a range needs a numeric field, not " + std::string(TypeName(t)));
      else if (item.number > item.number_hi)
        diags_.Add(Code::kTypeMismatch, item.loc, "empty range: the low end is above the high end");
      return;
    }
    if (item.kind == Kind::kQualified) {
      diags_.Add(Code::kMisplaced, item.loc,
                 "qualified items (x:y) are only meaningful in policies");
      return;
    }
    if (auto problem = LiteralProblem(t, field, item)) {
      Code code =
          t == Type::kFlags && item.kind == Kind::kWord ? Code::kUnknownFlag : Code::kTypeMismatch;
      diags_.Add(code, item.loc, *problem);
    }
  }

  // ---- tests ----------------------------------------------------------------------

  void CheckTest(const ast::TestDecl& test) {
    auto it = p_.rules.find(test.rule);
    if (it == p_.rules.end()) return;  // reported by name resolution
    const ast::RuleDecl& rule = *it->second;
    for (const auto& tc : test.cases) {
      if (tc.events.empty()) {
        CheckTestEvent(rule, tc, true);
        continue;
      }
      for (const auto& one : tc.events) CheckTestEvent(rule, one, false);
    }
  }

  void CheckTestEvent(const ast::RuleDecl& rule, const ast::TestCase& tc, bool single) {
    {
      auto type = EventTypeByName(tc.event);
      if (!type) {
        std::vector<std::string_view> names;
        for (const auto& t : AllEventTypes()) names.push_back(t.name);
        diags_.Add(Code::kUnknownEventType, tc.event_loc,
                   "unknown event type " + Q(tc.event) + DidYouMean(Suggest(tc.event, names)));
        return;
      }
      // In a case of several events, the others may be of any type (noise the rule ignores).
      if (single && tc.expect_alert && !(rule.events & Bit(*type))) {
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
          diags_
              .Add(Code::kFieldNotOnEvents, f.loc,
                   Q(info.name) + " is not carried by " + tc.event + " events")
              .notes.push_back(std::string(info.name) +
                               " exists on: " + EventMaskNames(info.events));
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
            auto problem =
                LiteralProblem(*t == Type::kFlags ? Type::kFlags : Type::kString, &info, item);
            bool bad_flag = *t == Type::kFlags && item.kind == Kind::kWord;
            if (problem)
              diags_.Add(bad_flag ? Code::kUnknownFlag : Code::kTypeMismatch, item.loc, *problem);
          }
          continue;
        }
        if (v.kind == Kind::kList) {
          diags_.Add(Code::kTypeMismatch, v.loc, std::string(info.name) + " takes a single value");
          continue;
        }
        if (auto problem = LiteralProblem(*t, &info, v))
          diags_.Add(Code::kTypeMismatch, v.loc, *problem);
      }
    }
  }

  Program& p_;
  Diagnostics& diags_;
  const ast::RuleDecl* rule_ = nullptr;
  EventMask events_ = kAllEvents;
  bool in_output_ = false;
  bool in_exception_ = false;         // checking the tests a named exception became
  bool negated_ = false;              // inside an odd number of `not`s
  ast::Op test_op_ = ast::Op::kBare;  // the test whose fields are being resolved
  size_t fields_not_on_events_ = 0;   // V012 findings in the current rule
  size_t bad_type_names_ = 0;         // names evt.type is compared with that are no type
  std::set<std::pair<const ast::Value*, int>> checked_items_;
};

}  // namespace

void CheckTypes(Program& p, Diagnostics& diags) {
  TypeChecker(p, diags).Run();
}

}  // namespace vigil::lang
