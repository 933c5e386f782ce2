#include "lang/reachability.h"

#include <optional>

#include "lang/fields.h"

namespace vigil::lang {
namespace {

using Kind = ast::Value::Kind;

enum class Tri { kFalse, kTrue, kUnknown };

Tri Not(Tri t) {
  return t == Tri::kUnknown ? t : t == Tri::kFalse ? Tri::kTrue : Tri::kFalse;
}

// The first field (through transformer calls) a value reads that `type` does not carry.
std::optional<FieldId> MissingField(const ast::Value& v, EventType type) {
  if (v.kind == Kind::kField) {
    auto id = v.field ? v.field : FieldByName(v.text);
    if (id && !(Field(*id).events & Bit(type))) return id;
    return std::nullopt;
  }
  if (v.kind == Kind::kCall)
    for (const auto& arg : v.items)
      if (auto id = MissingField(arg, type)) return id;
  return std::nullopt;
}

bool IsEvtType(const ast::Value& v) {
  return v.kind == Kind::kField && v.index < 0 && v.field == FieldId::kEvtType;
}

// `evt.type == NAME`, `evt.type in [NAMES]`: whether `type` is among the names, when every
// name is a literal.
std::optional<bool> TypeAmong(const ast::Value& rhs, EventType type) {
  const std::string_view name = EventTypeName(type);
  if (rhs.kind == Kind::kString || rhs.kind == Kind::kWord) return rhs.text == name;
  if (rhs.kind != Kind::kList) return std::nullopt;
  bool found = false;
  for (const auto& item : rhs.items) {
    if (item.kind != Kind::kString && item.kind != Kind::kWord) return std::nullopt;
    found |= item.text == name;
  }
  return found;
}

// A value of a condition for one event type, and why it is known.
struct Known {
  Tri value = Tri::kUnknown;
  std::string why;  // empty when unknown
};

Known Negate(Known k) {
  k.value = Not(k.value);
  return k;
}

class Evaluator {
 public:
  explicit Evaluator(EventType type) : type_(type) {}

  Known Eval(const ast::Expr& e) {
    switch (e.op) {
      case ast::Op::kAnd:
      case ast::Op::kOr: {
        // `and` is decided by a false operand, `or` by a true one; otherwise by all of them.
        const Tri decisive = e.op == ast::Op::kAnd ? Tri::kFalse : Tri::kTrue;
        Known all{Not(decisive), ""};
        for (const auto& c : e.children) {
          Known k = Eval(c);
          if (k.value == decisive) return k;
          if (k.value == Tri::kUnknown)
            all.value = Tri::kUnknown;
          else if (all.why.empty())
            all.why = k.why;
          else if (all.why.find(k.why) == std::string::npos)
            all.why += "; " + k.why;
        }
        if (all.value == Tri::kUnknown) all.why.clear();
        return all;
      }
      case ast::Op::kNot:
        return e.children.empty() ? Known{} : Negate(Eval(e.children[0]));
      case ast::Op::kBare:
        if (e.lhs.kind == Kind::kBool)
          return {e.lhs.boolean ? Tri::kTrue : Tri::kFalse, "the condition is a constant"};
        return Leaf(e.lhs, nullptr, e.op);
      case ast::Op::kNe:
        return Negate(Leaf(e.lhs, &e.rhs, ast::Op::kEq));
      case ast::Op::kNotIn:
        return Negate(Leaf(e.lhs, &e.rhs, ast::Op::kIn));
      default:
        return Leaf(e.lhs, &e.rhs, e.op);
    }
  }

 private:
  // One test, written positively (`!=` and `not in` are negated by the caller).
  Known Leaf(const ast::Value& lhs, const ast::Value* rhs, ast::Op op) {
    const std::string type_name(EventTypeName(type_));
    auto missing = MissingField(lhs, type_);
    if (!missing && rhs) missing = MissingField(*rhs, type_);
    if (missing)
      return {Tri::kFalse, "it reads " + std::string(Field(*missing).name) + ", which " +
                               type_name + " events do not carry"};
    if (rhs && IsEvtType(lhs) && (op == ast::Op::kEq || op == ast::Op::kIn)) {
      if (auto among = TypeAmong(*rhs, type_))
        return {*among ? Tri::kTrue : Tri::kFalse,
                "evt.type is '" + type_name + "' on these events"};
    }
    return {};
  }

  EventType type_;
};

}  // namespace

std::vector<NeverMatch> EventTypesNeverMatching(const ast::Expr& when, EventMask events) {
  std::vector<NeverMatch> out;
  for (const auto& info : AllEventTypes()) {
    if (!(events & Bit(info.type))) continue;
    Known k = Evaluator(info.type).Eval(when);
    if (k.value == Tri::kFalse) out.push_back({info.type, k.why});
  }
  return out;
}

}  // namespace vigil::lang
