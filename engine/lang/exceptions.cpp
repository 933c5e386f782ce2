// Passes 1a and 1b (after declarations are collected): `append` declarations, then named
// exceptions.
//
// An `append` adds to the winning declaration of its name (after `override`), whichever file
// declares it: items to a list, an `or`/`and` condition to a macro, exceptions or tuples to a
// rule. A rule's exceptions then become part of its condition, `when C and not (T1 or T2 ...)`
// where each tuple T is the `and` of its fields' tests, so that every later pass (types,
// reachability, the compiler's merged sets and tries) treats them like any other test. Each
// tuple keeps its own copy as a condition (ExceptionTuple::expr) for the check that an appended
// tuple does not silence one of the rule's own `alert` cases (compile/exception_checks).
#include <algorithm>

#include "lang/passes.h"
#include "lang/suggest.h"

namespace vigil::lang {
namespace {

using Kind = ast::Value::Kind;

std::string Q(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::vector<std::string_view> Keys(const auto& table) {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : table) out.push_back(k);
  return out;
}

std::string FieldText(const ast::Value& v) {
  if (v.kind == Kind::kCall) {
    std::string out = v.text + "(";
    for (size_t i = 0; i < v.items.size(); ++i) out += (i ? ", " : "") + FieldText(v.items[i]);
    return out + ")";
  }
  if (v.index >= 0) return v.text + "[" + std::to_string(v.index) + "]";
  return v.text;
}

std::string FieldsText(const ast::ExceptionDecl& x) {
  std::string out;
  for (size_t i = 0; i < x.fields.size(); ++i) {
    out += (i ? ", " : "") + FieldText(x.fields[i]);
    if (x.ops[i] != ast::Op::kEq) out += std::string(" ") + ast::OpName(x.ops[i]);
  }
  return out;
}

bool SameFields(const ast::ExceptionDecl& a, const ast::ExceptionDecl& b) {
  if (a.fields.size() != b.fields.size()) return false;
  for (size_t i = 0; i < a.fields.size(); ++i)
    if (FieldText(a.fields[i]) != FieldText(b.fields[i]) || a.ops[i] != b.ops[i]) return false;
  return true;
}

void ApplyAppend(Program& p, ast::AppendDecl& a, Diagnostics& diags) {
  using AK = ast::AppendDecl::Kind;
  auto nothing = [&](const char* kind, std::vector<std::string_view> names) {
    if (p.IsUnparsed(a.name)) return;
    diags
        .Add(Code::kAppendToNothing, a.loc,
             std::string("'append ") + kind + " " + a.name + "' adds to nothing: no " + kind +
                 " of that name is loaded" + DidYouMean(Suggest(a.name, names)))
        .notes.push_back(std::string("declare it with '") + kind + " " + a.name +
                         "', or load the file that declares it");
  };
  switch (a.kind) {
    case AK::kList: {
      auto it = p.lists.find(a.name);
      if (it == p.lists.end()) return nothing("list", Keys(p.lists));
      auto* list = const_cast<ast::ListDecl*>(it->second);
      for (auto& item : a.items) list->items.push_back(item);
      return;
    }
    case AK::kMacro: {
      auto it = p.macros.find(a.name);
      if (it == p.macros.end()) return nothing("macro", Keys(p.macros));
      auto* macro = const_cast<ast::MacroDecl*>(it->second);
      ast::Expr joined;
      joined.op = a.connective;
      joined.loc = macro->body.loc;
      joined.children.push_back(std::move(macro->body));
      joined.children.push_back(a.condition);
      macro->body = std::move(joined);
      return;
    }
    case AK::kRule: {
      auto it = p.rules.find(a.name);
      if (it == p.rules.end()) return nothing("rule", Keys(p.rules));
      ast::RuleDecl& rule = *it->second;
      for (auto& x : a.exceptions) {
        for (auto& t : x.tuples) t.appended = true;
        auto same = std::find_if(rule.exceptions.begin(), rule.exceptions.end(),
                                 [&](const ast::ExceptionDecl& e) { return e.name == x.name; });
        if (same == rule.exceptions.end()) {
          if (!x.has_fields) {
            std::vector<std::string_view> names;
            for (const auto& e : rule.exceptions) names.push_back(e.name);
            diags
                .Add(Code::kBadException, x.loc,
                     "rule '" + rule.name + "' has no exception " + Q(x.name) + " to add to" +
                         DidYouMean(Suggest(x.name, names)))
                .notes.push_back("to add a new exception, give its fields: exception " + x.name +
                                 ": proc.name, file.path in [(...)]");
            continue;
          }
          x.appended = true;
          rule.exceptions.push_back(x);
          continue;
        }
        if (x.has_fields && !SameFields(*same, x)) {
          diags
              .Add(Code::kBadException, x.loc,
                   "exception " + Q(x.name) + " of rule '" + rule.name + "' tests (" +
                       FieldsText(*same) + "), not (" + FieldsText(x) + ")")
              .notes.push_back("its tuples are at " + p.sources.Position(same->loc) +
                               "; leave the fields out to add tuples: exception " + x.name +
                               " in [...]");
          continue;
        }
        for (auto& t : x.tuples) same->tuples.push_back(t);
      }
      return;
    }
  }
}

// Which types an exception's operator applies to (as the type checker judges conditions).
std::optional<std::string> OperatorProblem(ast::Op op, Type t) {
  const bool numeric = t == Type::kInt || t == Type::kUint;
  switch (op) {
    case ast::Op::kEq:
    case ast::Op::kNe:
      if (t == Type::kStringList) return "a list field takes 'contains' or 'intersects'";
      return std::nullopt;
    case ast::Op::kLt:
    case ast::Op::kLe:
    case ast::Op::kGt:
    case ast::Op::kGe:
      if (!numeric) return "ordering needs a number";
      return std::nullopt;
    case ast::Op::kContains:
      if (t == Type::kString || t == Type::kStringList || t == Type::kFlags) return std::nullopt;
      return "'contains' takes a string, list or flags field";
    case ast::Op::kIContains:
    case ast::Op::kStartsWith:
    case ast::Op::kEndsWith:
    case ast::Op::kGlob:
    case ast::Op::kMatches:
      if (t != Type::kString) return "it takes a string field";
      return std::nullopt;
    case ast::Op::kIn:
      if (t == Type::kStringList || t == Type::kFlags)
        return "use 'intersects' to test for any common element";
      if (t == Type::kBool) return "compare booleans with ==";
      return std::nullopt;
    case ast::Op::kIntersects:
      if (t != Type::kStringList && t != Type::kFlags) return "it takes a list or flags field";
      return std::nullopt;
    default:
      return "not an operator an exception can use";
  }
}

class ExceptionBuilder {
 public:
  ExceptionBuilder(Program& p, Diagnostics& d) : p_(p), diags_(d) {}

  void Run() {
    for (auto* rule : p_.rule_order) {
      if (rule->exceptions.empty()) continue;
      ast::Expr any;
      any.op = ast::Op::kOr;
      for (auto& x : rule->exceptions) {
        if (!Check(*rule, x)) {
          x.usable = false;
          continue;
        }
        for (auto& t : x.tuples) {
          t.expr = TupleExpr(x, t);
          any.children.push_back(t.expr);
          if (!any.loc.valid()) any.loc = x.loc;
        }
      }
      if (any.children.empty()) continue;
      if (any.children.size() == 1) {
        ast::Expr only = std::move(any.children[0]);
        any = std::move(only);
      }
      ast::Expr none;
      none.op = ast::Op::kNot;
      none.loc = any.loc;
      none.from_exception = rule->exceptions.front().name;
      none.children.push_back(std::move(any));
      if (!rule->when) {
        rule->when = std::move(none);
        continue;
      }
      ast::Expr both;
      both.op = ast::Op::kAnd;
      both.loc = rule->when->loc;
      both.children.push_back(std::move(*rule->when));
      both.children.push_back(std::move(none));
      rule->when = std::move(both);
    }
  }

 private:
  // The fields and tuples fit together; reports what does not (once per exception).
  bool Check(const ast::RuleDecl& rule, ast::ExceptionDecl& x) {
    if (!x.has_fields) {
      diags_
          .Add(Code::kBadException, x.loc,
               "exception " + Q(x.name) + " of rule '" + rule.name + "' names no fields")
          .notes.push_back("write: exception " + x.name +
                           ": proc.name, file.path startswith in [(logrotate, \"/var/log/\")]");
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < x.fields.size(); ++i) {
      const ast::Value& f = x.fields[i];
      auto type = FieldType(x, f);
      if (!type) {
        ok = false;
        continue;
      }
      if (auto problem = OperatorProblem(x.ops[i], *type)) {
        diags_.Add(Code::kOperatorNotForType, x.op_locs[i],
                   "'" + std::string(ast::OpName(x.ops[i])) + "' does not apply to " +
                       std::string(TypeName(*type)) + " " +
                       (f.kind == Kind::kField ? "field " + Q(f.text) : FieldText(f)) + ": " +
                       *problem);
        ok = false;
      }
    }
    std::vector<ast::ExceptionTuple> kept;
    for (auto& t : x.tuples) {
      if (t.values.size() == x.fields.size()) {
        kept.push_back(std::move(t));
        continue;
      }
      diags_
          .Add(Code::kBadException, t.loc,
               "exception " + Q(x.name) + " tests " + std::to_string(x.fields.size()) + " field" +
                   (x.fields.size() == 1 ? "" : "s") + " (" + FieldsText(x) + "); this tuple has " +
                   std::to_string(t.values.size()) + " value" + (t.values.size() == 1 ? "" : "s"))
          .notes.push_back(x.fields.size() == 1 ? "a one-field exception takes plain values: [a, b]"
                                                : "write one value per field, in order: (v1, v2)");
      ok = false;
    }
    // An exception without tuples is fine: a library declares one for sites to append to.
    x.tuples = std::move(kept);
    return ok;
  }

  // The type of an exception's field (a field, or a transformer of one), or nullopt after
  // reporting why it has none: once per exception, not once per tuple.
  std::optional<Type> FieldType(const ast::ExceptionDecl& x, const ast::Value& f) {
    if (f.kind == Kind::kField) {
      auto id = FieldByName(f.text);
      if (!id) {
        if (!p_.IsUnparsed(f.text))
          diags_.Add(Code::kUnknownField, f.loc,
                     "unknown field " + Q(f.text) + " in exception " + Q(x.name) +
                         DidYouMean(SuggestFieldNames(f.text)));
        return std::nullopt;
      }
      return Field(*id).type;
    }
    if (f.kind != Kind::kCall) {
      diags_.Add(Code::kBadException, f.loc,
                 "an exception's fields are fields (proc.name) or transformers "
                 "(basename(proc.exe)), not values");
      return std::nullopt;
    }
    static const std::vector<std::string_view> kFns = {"lower", "basename", "dirname", "len"};
    if (std::find(kFns.begin(), kFns.end(), f.text) == kFns.end() || f.items.size() != 1) {
      diags_.Add(Code::kUnknownFunction, f.loc,
                 (f.items.size() != 1
                      ? f.text + "() takes exactly one argument"
                      : "unknown function " + Q(f.text) + DidYouMean(Suggest(f.text, kFns))) +
                     "; transformers are lower(), basename(), dirname(), len()");
      return std::nullopt;
    }
    auto arg = FieldType(x, f.items[0]);
    if (!arg) return std::nullopt;
    if (f.text == "len") {
      if (*arg == Type::kString || *arg == Type::kStringList) return Type::kInt;
    } else if (*arg == Type::kString) {
      return Type::kString;
    }
    diags_.Add(Code::kOperatorNotForType, f.loc,
               f.text + "() does not take " + std::string(TypeName(*arg)) + " values");
    return std::nullopt;
  }

  ast::Expr TupleExpr(const ast::ExceptionDecl& x, const ast::ExceptionTuple& t) {
    ast::Expr all;
    all.op = ast::Op::kAnd;
    all.loc = t.loc;
    all.from_exception = x.name;
    for (size_t i = 0; i < x.fields.size(); ++i) {
      ast::Expr e;
      e.op = x.ops[i];
      e.loc = t.values[i].loc;
      e.from_exception = x.name;
      e.lhs = x.fields[i];
      e.rhs = t.values[i];
      const bool names_list = e.rhs.kind == Kind::kWord && p_.lists.count(e.rhs.text) > 0;
      if ((names_list || e.rhs.kind == Kind::kList) &&
          (e.op == ast::Op::kEq || e.op == ast::Op::kNe)) {
        // A list, or a bare word naming one (as in lists), stands for its items: any of them.
        e.op = e.op == ast::Op::kEq ? ast::Op::kIn : ast::Op::kNotIn;
        if (names_list) e.rhs.kind = Kind::kListRef;
      } else if (names_list && (e.op == ast::Op::kStartsWith || e.op == ast::Op::kEndsWith ||
                                e.op == ast::Op::kContains || e.op == ast::Op::kIContains)) {
        e.rhs.kind = Kind::kListRef;
      } else if (e.op == ast::Op::kIn || e.op == ast::Op::kIntersects) {
        if (e.rhs.kind == Kind::kWord && p_.lists.count(e.rhs.text)) {
          e.rhs.kind = Kind::kListRef;
        } else if (e.rhs.kind != Kind::kList) {
          ast::Value list;
          list.kind = Kind::kList;
          list.loc = e.rhs.loc;
          list.items.push_back(e.rhs);
          e.rhs = std::move(list);
        }
      }
      all.children.push_back(std::move(e));
    }
    if (all.children.size() == 1) {
      ast::Expr only = std::move(all.children[0]);
      return only;
    }
    return all;
  }

  Program& p_;
  Diagnostics& diags_;
};

}  // namespace

void ApplyAppends(Program& p, Diagnostics& diags) {
  for (auto& file : p.files)
    for (auto& a : file.appends) ApplyAppend(p, a, diags);
}

void BuildExceptions(Program& p, Diagnostics& diags) {
  ExceptionBuilder(p, diags).Run();
}

}  // namespace vigil::lang
