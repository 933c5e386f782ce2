#include "compile/rule_compiler.h"

#include <algorithm>
#include <map>
#include <optional>

#include "lang/limits.h"
#include "match/checks.h"
#include "match/field_text.h"

namespace vigil::compile {
namespace {

using Kind = lang::ast::Value::Kind;
using lang::ast::Op;
using match::MatchNode;
using match::NodeKind;
using match::Operand;

// ---- the compiler's own tree --------------------------------------------------------------
// Like MatchNode, but a string equality/prefix/suffix test keeps its strings unbuilt, so that
// alternatives on the same operand can be merged before they become one hash set or trie.

enum class Family { kReady, kEquals, kPrefix, kSuffix };

struct IrNode {
  NodeKind kind = NodeKind::kTrue;
  std::vector<IrNode> children;
  Family family = Family::kReady;
  std::shared_ptr<const match::Check> check;  // kReady
  Operand operand;                            // string families
  std::vector<std::string> strings;           // string families

  static IrNode Constant(bool v) {
    IrNode n;
    n.kind = v ? NodeKind::kTrue : NodeKind::kFalse;
    return n;
  }
  static IrNode Ready(std::shared_ptr<const match::Check> c) {
    IrNode n;
    n.kind = NodeKind::kCheck;
    n.check = std::move(c);
    return n;
  }
  static IrNode Strings(Family f, Operand op, std::vector<std::string> s) {
    IrNode n;
    n.kind = NodeKind::kCheck;
    n.family = f;
    n.operand = std::move(op);
    n.strings = std::move(s);
    return n;
  }
  static IrNode Not(IrNode child) {
    IrNode n;
    n.kind = NodeKind::kNot;
    n.children.push_back(std::move(child));
    return n;
  }
  bool IsConstant() const { return kind == NodeKind::kTrue || kind == NodeKind::kFalse; }
};

// Folds constants, flattens nested and/or, removes double negation. Works on IrNode and on
// MatchNode alike.
template <typename N>
void Fold(N& n) {
  for (auto& c : n.children) Fold(c);
  if (n.kind == NodeKind::kNot) {
    N& c = n.children[0];
    if (c.IsConstant()) {
      n = N::Constant(c.kind == NodeKind::kFalse);
    } else if (c.kind == NodeKind::kNot) {
      N inner = std::move(c.children[0]);
      n = std::move(inner);
    }
    return;
  }
  if (n.kind != NodeKind::kAnd && n.kind != NodeKind::kOr) return;
  const bool is_and = n.kind == NodeKind::kAnd;
  const NodeKind absorbing = is_and ? NodeKind::kFalse : NodeKind::kTrue;
  const NodeKind neutral = is_and ? NodeKind::kTrue : NodeKind::kFalse;
  std::vector<N> kept;
  for (auto& c : n.children) {
    if (c.kind == absorbing) {
      n = N::Constant(!is_and);
      return;
    }
    if (c.kind == neutral) continue;
    if (c.kind == n.kind) {
      for (auto& g : c.children) kept.push_back(std::move(g));
      continue;
    }
    kept.push_back(std::move(c));
  }
  if (kept.empty()) {
    n = N::Constant(is_and);
    return;
  }
  if (kept.size() == 1) {
    N only = std::move(kept[0]);
    n = std::move(only);
    return;
  }
  n.children = std::move(kept);
}

// In an `or`, string tests of one family on one operand become a single test.
void MergeAlternatives(IrNode& n) {
  for (auto& c : n.children) MergeAlternatives(c);
  if (n.kind != NodeKind::kOr) return;
  std::map<std::pair<Family, std::string>, size_t> first;  // (family, operand) -> kept index
  std::vector<IrNode> kept;
  for (auto& c : n.children) {
    if (c.kind == NodeKind::kCheck && c.family != Family::kReady) {
      auto key = std::make_pair(c.family, c.operand.Describe());
      auto it = first.find(key);
      if (it != first.end()) {
        auto& into = kept[it->second].strings;
        into.insert(into.end(), c.strings.begin(), c.strings.end());
        continue;
      }
      first.emplace(key, kept.size());
    }
    kept.push_back(std::move(c));
  }
  if (kept.size() == 1) {
    IrNode only = std::move(kept[0]);
    n = std::move(only);
    return;
  }
  n.children = std::move(kept);
}

MatchNode Materialize(const IrNode& n) {
  MatchNode m;
  m.kind = n.kind;
  for (const auto& c : n.children) m.children.push_back(Materialize(c));
  if (n.kind != NodeKind::kCheck) return m;
  switch (n.family) {
    case Family::kReady:
      m.check = n.check;
      break;
    case Family::kEquals:
      if (n.strings.size() == 1) {
        m.check =
            std::make_shared<match::StringCheck>(n.operand, match::StringOp::kEq, n.strings[0]);
      } else {
        match::StringSet set(n.strings.begin(), n.strings.end());
        m.check = std::make_shared<match::StringSetCheck>(n.operand, std::move(set));
      }
      break;
    case Family::kPrefix:
    case Family::kSuffix: {
      bool suffix = n.family == Family::kSuffix;
      if (n.strings.size() == 1)
        m.check = std::make_shared<match::StringCheck>(
            n.operand, suffix ? match::StringOp::kEndsWith : match::StringOp::kStartsWith,
            n.strings[0]);
      else
        m.check = std::make_shared<match::AffixSetCheck>(n.operand, suffix, n.strings);
      break;
    }
  }
  return m;
}

// A copy of `n` for events of `type`: tests reading a field the type never carries are false,
// and tests that read only evt.type are decided now.
MatchNode Specialize(const MatchNode& n, lang::EventType type) {
  if (n.kind == NodeKind::kCheck) {
    bool only_type = true;
    for (const Operand* op : n.check->Operands()) {
      if (!(lang::Field(op->field).events & lang::Bit(type))) return MatchNode::Constant(false);
      only_type &= op->field == lang::FieldId::kEvtType;
    }
    if (only_type) {
      match::EventRecord r;
      r.set_type(type);
      r.SetString(lang::FieldId::kEvtType, lang::EventTypeName(type));
      match::EvalScratch s;
      return MatchNode::Constant(n.check->Eval(r, s));
    }
    return n;
  }
  MatchNode m;
  m.kind = n.kind;
  for (const auto& c : n.children) m.children.push_back(Specialize(c, type));
  return m;
}

int Cost(const MatchNode& n) {
  if (n.kind == NodeKind::kCheck) return n.check->Cost();
  int sum = 0;
  for (const auto& c : n.children) sum += Cost(c);
  return sum;
}

// Tests are pure, so the order of and/or operands is free: evaluate the cheap ones first
// (booleans and numbers, then hash sets and tries, regexes last), stable among equals.
void OrderByCost(MatchNode& n) {
  for (auto& c : n.children) OrderByCost(c);
  if (n.kind != NodeKind::kAnd && n.kind != NodeKind::kOr) return;
  std::stable_sort(n.children.begin(), n.children.end(),
                   [](const MatchNode& a, const MatchNode& b) { return Cost(a) < Cost(b); });
}

// ---- from the AST -----------------------------------------------------------------------

class RuleBuilder {
 public:
  RuleBuilder(const lang::Program& p, lang::Diagnostics& diags) : program_(p), diags_(diags) {}

  IrNode Build(const lang::ast::Expr& e) {
    switch (e.op) {
      case Op::kAnd:
      case Op::kOr: {
        IrNode n;
        n.kind = e.op == Op::kAnd ? NodeKind::kAnd : NodeKind::kOr;
        for (const auto& c : e.children) n.children.push_back(Build(c));
        return n;
      }
      case Op::kNot:
        return IrNode::Not(Build(e.children.at(0)));
      case Op::kBare:
        if (e.lhs.kind == Kind::kBool) return IrNode::Constant(e.lhs.boolean);
        if (auto op = MakeOperand(e.lhs)) {
          if (op->type == lang::Type::kBool)
            return IrNode::Ready(std::make_shared<match::BoolCheck>(*op, true));
        }
        return Fail(e, "a bare name must be a boolean field");
      case Op::kExists:
        if (auto op = MakeOperand(e.lhs))
          return IrNode::Ready(std::make_shared<match::ExistsCheck>(*op));
        return Fail(e, "exists needs a field");
      case Op::kNe:
        return IrNode::Not(Predicate(e, Op::kEq));
      case Op::kNotIn:
        return IrNode::Not(Predicate(e, Op::kIn));
      default:
        return Predicate(e, e.op);
    }
  }

 private:
  // A condition the front end accepted but no matcher can be built for: a type error the type
  // checker let through (V010 unless said otherwise), or a regex RE2 refuses (V015).
  IrNode Fail(const lang::ast::Expr& e, const std::string& message,
              lang::Code code = lang::Code::kTypeMismatch) {
    diags_.Add(code, e.loc, message);
    return IrNode::Constant(false);
  }

  std::optional<Operand> MakeOperand(const lang::ast::Value& v) {
    if (v.kind == Kind::kField) {
      auto id = v.field ? v.field : lang::FieldByName(v.text);
      if (!id) return std::nullopt;
      Operand op;
      op.field = *id;
      op.index = v.index;
      op.key = v.key;
      op.field_type = op.type = op.key.empty() ? lang::Field(*id).type : lang::Type::kString;
      return op;
    }
    if (v.kind == Kind::kCall && v.items.size() == 1) {
      auto inner = MakeOperand(v.items[0]);
      if (!inner) return std::nullopt;
      match::Transform t;
      if (v.text == "lower")
        t = match::Transform::kLower;
      else if (v.text == "basename")
        t = match::Transform::kBasename;
      else if (v.text == "dirname")
        t = match::Transform::kDirname;
      else if (v.text == "len")
        t = match::Transform::kLen;
      else
        return std::nullopt;
      if (!inner->transforms.empty() && inner->transforms.back() == match::Transform::kLen)
        return std::nullopt;  // len() gives a number: nothing applies to it
      inner->transforms.push_back(t);
      inner->type = t == match::Transform::kLen ? lang::Type::kInt : lang::Type::kString;
      return inner;
    }
    return std::nullopt;
  }

  // A value on the right that is a number: a literal, or a named constant of the left field.
  std::optional<match::Wide> NumberValue(const lang::ast::Value& v, const Operand& lhs) {
    if (v.kind == Kind::kInt) return v.number;
    if (v.kind == Kind::kBool) return v.boolean ? 1 : 0;
    if (v.constant) return *v.constant;
    if ((v.kind == Kind::kWord || (v.kind == Kind::kField && !lang::FieldByName(v.text))) &&
        lhs.transforms.empty()) {
      if (auto c = lang::ConstantValue(lang::Field(lhs.field), v.text)) return *c;
    }
    return std::nullopt;
  }

  // Items of a list literal or a named list.
  const std::vector<lang::ast::Value>* SetItems(const lang::ast::Value& v) {
    if (v.kind == Kind::kList) return &v.items;
    if (v.kind == Kind::kListRef) {
      auto it = program_.lists.find(v.text);
      if (it != program_.lists.end()) return &it->second->items;
    }
    return nullptr;
  }

  IrNode Predicate(const lang::ast::Expr& e, Op op) {
    auto lhs = MakeOperand(e.lhs);
    if (!lhs)
      return Fail(e, "the left of '" + std::string(lang::ast::OpName(e.op)) + "' is not a field");
    switch (lhs->type) {
      case lang::Type::kString:
        return StringPredicate(e, op, *lhs);
      case lang::Type::kInt:
      case lang::Type::kUint:
        return NumberPredicate(e, op, *lhs);
      case lang::Type::kFlags:
        return FlagsPredicate(e, op, *lhs);
      case lang::Type::kBool:
        return BoolPredicate(e, op, *lhs);
      case lang::Type::kAddress:
        return AddressPredicate(e, op, *lhs);
      case lang::Type::kStringList:
        return ListPredicate(e, op, *lhs);
    }
    return Fail(e, "unsupported operand type");
  }

  IrNode StringPredicate(const lang::ast::Expr& e, Op op, const Operand& lhs) {
    const auto& rv = e.rhs;
    bool literal = rv.kind == Kind::kString || rv.kind == Kind::kWord;
    if (op == Op::kIn) {
      const auto* items = SetItems(rv);
      if (!items) return Fail(e, "'in' needs a list");
      std::vector<std::string> strings;
      for (const auto& item : *items) {
        if (item.kind != Kind::kString && item.kind != Kind::kWord)
          return Fail(e, "a string field can only be in a list of strings");
        strings.push_back(item.text);
      }
      if (strings.empty()) return IrNode::Constant(false);
      return IrNode::Strings(Family::kEquals, lhs, std::move(strings));
    }
    if ((rv.kind == Kind::kList || rv.kind == Kind::kListRef) &&
        (op == Op::kStartsWith || op == Op::kEndsWith || op == Op::kContains ||
         op == Op::kIContains))
      return AnyOfPredicate(e, op, lhs);
    match::StringOp sop;
    switch (op) {
      case Op::kEq:
        sop = match::StringOp::kEq;
        break;
      case Op::kContains:
        sop = match::StringOp::kContains;
        break;
      case Op::kIContains:
        sop = match::StringOp::kIContains;
        break;
      case Op::kStartsWith:
        sop = match::StringOp::kStartsWith;
        break;
      case Op::kEndsWith:
        sop = match::StringOp::kEndsWith;
        break;
      case Op::kGlob: {
        if (rv.kind != Kind::kString) return Fail(e, "glob takes a string pattern");
        return GlobPredicate(lhs, rv.text);
      }
      case Op::kMatches: {
        if (rv.kind != Kind::kString) return Fail(e, "matches takes a string pattern");
        auto check = match::RegexCheck::Make(lhs, rv.text);
        if (!check)
          return Fail(e, "invalid regular expression: " + check.error(), lang::Code::kBadRegex);
        return IrNode::Ready(std::move(*check));
      }
      default:
        return Fail(e, std::string("'") + lang::ast::OpName(op) + "' does not apply to strings");
    }
    if (literal) {
      if (sop == match::StringOp::kEq) return IrNode::Strings(Family::kEquals, lhs, {rv.text});
      if (sop == match::StringOp::kStartsWith)
        return IrNode::Strings(Family::kPrefix, lhs, {rv.text});
      if (sop == match::StringOp::kEndsWith)
        return IrNode::Strings(Family::kSuffix, lhs, {rv.text});
      return IrNode::Ready(std::make_shared<match::StringCheck>(lhs, sop, rv.text));
    }
    auto rhs = MakeOperand(rv);
    if (!rhs || rhs->type != lang::Type::kString) return Fail(e, "the right side must be a string");
    return IrNode::Ready(std::make_shared<match::StringFieldCheck>(lhs, sop, *rhs));
  }

  // `startswith`/`endswith` against a list become one trie, `contains`/`icontains` an `or`
  // of substring tests: any item matches.
  IrNode AnyOfPredicate(const lang::ast::Expr& e, Op op, const Operand& lhs) {
    const auto* items = SetItems(e.rhs);
    if (!items) return Fail(e, "a list was expected");
    std::vector<std::string> strings;
    for (const auto& item : *items) {
      if (item.kind != Kind::kString && item.kind != Kind::kWord)
        return Fail(e, std::string("'") + lang::ast::OpName(op) + "' takes a list of strings");
      strings.push_back(item.text);
    }
    if (strings.empty()) return IrNode::Constant(false);
    if (op == Op::kStartsWith) return IrNode::Strings(Family::kPrefix, lhs, std::move(strings));
    if (op == Op::kEndsWith) return IrNode::Strings(Family::kSuffix, lhs, std::move(strings));
    IrNode any;
    any.kind = NodeKind::kOr;
    const auto sop = op == Op::kContains ? match::StringOp::kContains : match::StringOp::kIContains;
    for (auto& s : strings)
      any.children.push_back(IrNode::Ready(std::make_shared<match::StringCheck>(lhs, sop, s)));
    return any;
  }

  // A glob that is only a literal, a prefix ("/etc/*") or a suffix ("*.so") is tested as such.
  static IrNode GlobPredicate(const Operand& lhs, const std::string& pattern) {
    auto special = [](char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; };
    auto plain = [&](std::string_view s) {
      for (char c : s)
        if (special(c)) return false;
      return true;
    };
    if (plain(pattern)) return IrNode::Strings(Family::kEquals, lhs, {pattern});
    if (pattern.size() > 1 && pattern.back() == '*' &&
        plain(std::string_view(pattern).substr(0, pattern.size() - 1)))
      return IrNode::Strings(Family::kPrefix, lhs, {pattern.substr(0, pattern.size() - 1)});
    if (pattern.size() > 1 && pattern.front() == '*' && plain(std::string_view(pattern).substr(1)))
      return IrNode::Strings(Family::kSuffix, lhs, {pattern.substr(1)});
    return IrNode::Ready(std::make_shared<match::GlobCheck>(lhs, pattern));
  }

  IrNode NumberPredicate(const lang::ast::Expr& e, Op op, const Operand& lhs) {
    if (op == Op::kIn) {
      const auto* items = SetItems(e.rhs);
      if (!items) return Fail(e, "'in' needs a list");
      std::vector<match::Wide> values;
      std::vector<std::pair<match::Wide, match::Wide>> ranges;
      for (const auto& item : *items) {
        if (item.kind == Kind::kRange) {
          ranges.emplace_back(item.number, item.number_hi);
          continue;
        }
        auto v = NumberValue(item, lhs);
        if (!v) return Fail(e, "a numeric field can only be in a list of numbers");
        values.push_back(*v);
      }
      if (values.empty() && ranges.empty()) return IrNode::Constant(false);
      return IrNode::Ready(
          std::make_shared<match::NumberSetCheck>(lhs, std::move(values), std::move(ranges)));
    }
    match::NumberOp nop;
    switch (op) {
      case Op::kEq:
        nop = match::NumberOp::kEq;
        break;
      case Op::kLt:
        nop = match::NumberOp::kLt;
        break;
      case Op::kLe:
        nop = match::NumberOp::kLe;
        break;
      case Op::kGt:
        nop = match::NumberOp::kGt;
        break;
      case Op::kGe:
        nop = match::NumberOp::kGe;
        break;
      default:
        return Fail(e, std::string("'") + lang::ast::OpName(op) + "' does not apply to numbers");
    }
    if (auto v = NumberValue(e.rhs, lhs))
      return IrNode::Ready(std::make_shared<match::NumberCheck>(lhs, nop, *v));
    auto rhs = MakeOperand(e.rhs);
    if (!rhs || rhs->type == lang::Type::kString || rhs->type == lang::Type::kStringList ||
        rhs->type == lang::Type::kAddress)
      return Fail(e, "the right side must be a number");
    return IrNode::Ready(std::make_shared<match::NumberFieldCheck>(lhs, nop, *rhs));
  }

  std::optional<match::FlagTest> FlagValue(const lang::ast::Value& v, const Operand& lhs) {
    auto n = NumberValue(v, lhs);
    if (!n) return std::nullopt;
    std::string name = v.kind == Kind::kInt ? match::WideToString(*n) : v.text;
    return match::MakeFlagTest(lhs.field, name, static_cast<uint64_t>(*n));
  }

  IrNode FlagsPredicate(const lang::ast::Expr& e, Op op, const Operand& lhs) {
    if (op == Op::kEq) return NumberPredicate(e, op, lhs);
    if (op == Op::kContains) {
      auto t = FlagValue(e.rhs, lhs);
      if (!t) return Fail(e, "'contains' on flags takes one flag");
      return IrNode::Ready(std::make_shared<match::FlagsCheck>(lhs, false, std::vector{*t}));
    }
    if (op == Op::kIntersects) {
      const auto* items = SetItems(e.rhs);
      if (!items) return Fail(e, "'intersects' needs a list");
      std::vector<match::FlagTest> tests;
      for (const auto& item : *items) {
        auto t = FlagValue(item, lhs);
        if (!t) return Fail(e, "'intersects' on flags takes a list of flags");
        tests.push_back(*t);
      }
      if (tests.empty()) return IrNode::Constant(false);
      return IrNode::Ready(std::make_shared<match::FlagsCheck>(lhs, true, std::move(tests)));
    }
    return Fail(e, std::string("'") + lang::ast::OpName(op) + "' does not apply to flags");
  }

  IrNode BoolPredicate(const lang::ast::Expr& e, Op op, const Operand& lhs) {
    if (op != Op::kEq) return Fail(e, "booleans compare with == and !=");
    if (e.rhs.kind == Kind::kBool)
      return IrNode::Ready(std::make_shared<match::BoolCheck>(lhs, e.rhs.boolean));
    auto rhs = MakeOperand(e.rhs);
    if (!rhs || rhs->type != lang::Type::kBool) return Fail(e, "the right side must be a boolean");
    return IrNode::Ready(
        std::make_shared<match::NumberFieldCheck>(lhs, match::NumberOp::kEq, *rhs));
  }

  IrNode AddressPredicate(const lang::ast::Expr& e, Op op, const Operand& lhs) {
    auto block = [&](const lang::ast::Value& v, std::vector<lang::Cidr>* out) {
      if (v.kind == Kind::kCall && v.text == "cidr" && v.items.size() == 1) {
        auto c = lang::ParseCidr(v.items[0].text);
        if (!c) return false;
        out->push_back(*c);
        return true;
      }
      if (v.kind != Kind::kString && v.kind != Kind::kWord) return false;
      auto a = ParseIpAddress(v.text);
      if (!a) return false;
      out->push_back(lang::Cidr{*a, 128});
      return true;
    };
    std::vector<lang::Cidr> blocks;
    std::string text;
    if (op == Op::kEq) {
      if (e.rhs.kind == Kind::kField) {
        auto rhs = MakeOperand(e.rhs);
        if (!rhs || rhs->type != lang::Type::kAddress)
          return Fail(e, "the right side must be an address");
        return IrNode::Ready(std::make_shared<match::AddressFieldCheck>(lhs, *rhs));
      }
      if (!block(e.rhs, &blocks)) return Fail(e, "not an IP address");
      text = "{" + e.rhs.text + "}";
    } else if (op == Op::kIn) {
      std::vector<lang::ast::Value> single;
      const auto* items = SetItems(e.rhs);
      if (!items && e.rhs.kind == Kind::kCall) {
        single.push_back(e.rhs);
        items = &single;
      }
      if (!items) return Fail(e, "'in' needs a list of addresses or cidr() blocks");
      for (const auto& item : *items) {
        if (!block(item, &blocks)) return Fail(e, "not an address or cidr() block");
        std::string shown =
            item.kind == Kind::kCall ? "cidr(" + item.items[0].text + ")" : item.text;
        text += (text.empty() ? "" : ", ") + shown;
      }
      text = "{" + text + "}";
      if (blocks.empty()) return IrNode::Constant(false);
    } else {
      return Fail(e, std::string("'") + lang::ast::OpName(op) + "' does not apply to addresses");
    }
    return IrNode::Ready(std::make_shared<match::AddressSetCheck>(lhs, std::move(blocks), text));
  }

  IrNode ListPredicate(const lang::ast::Expr& e, Op op, const Operand& lhs) {
    match::StringSet set;
    if (op == Op::kContains) {
      if (e.rhs.kind != Kind::kString && e.rhs.kind != Kind::kWord)
        return Fail(e, "'contains' on a list takes a string");
      set.insert(e.rhs.text);
      return IrNode::Ready(std::make_shared<match::ListCheck>(lhs, std::move(set), false));
    }
    if (op == Op::kIntersects) {
      const auto* items = SetItems(e.rhs);
      if (!items) return Fail(e, "'intersects' needs a list");
      for (const auto& item : *items) {
        if (item.kind != Kind::kString && item.kind != Kind::kWord)
          return Fail(e, "'intersects' on a list takes strings");
        set.insert(item.text);
      }
      if (set.empty()) return IrNode::Constant(false);
      return IrNode::Ready(std::make_shared<match::ListCheck>(lhs, std::move(set), true));
    }
    return Fail(e, std::string("'") + lang::ast::OpName(op) + "' does not apply to lists");
  }

  const lang::Program& program_;
  lang::Diagnostics& diags_;
};

std::vector<std::string> Texts(const std::vector<lang::ast::Value>& values) {
  std::vector<std::string> out;
  for (const auto& v : values)
    out.push_back(v.kind == Kind::kInt ? std::to_string(v.number) : v.text);
  return out;
}

std::string OperandText(const lang::ast::Value& v) {
  if (v.kind != Kind::kCall)
    return v.index >= 0 ? v.text + "[" + std::to_string(v.index) + "]" : v.text;
  std::string out = v.text + "(";
  for (size_t i = 0; i < v.items.size(); ++i) out += (i ? ", " : "") + OperandText(v.items[i]);
  return out + ")";
}

// The correlation and throttle of a rule, without the steps' matchers (built by the caller).
void CompileTime(const lang::ast::RuleDecl& rule, match::CompiledRule& c) {
  const lang::ast::Correlation& in = rule.correlation;
  auto fields = [](const std::vector<lang::ast::Value>& values) {
    std::vector<lang::FieldId> out;
    for (const auto& v : values)
      if (auto id = lang::FieldByName(v.text)) out.push_back(*id);
    return out;
  };
  match::CompiledCorrelation& out = c.correlation;
  out.kind = in.kind;
  out.count = in.count;
  if (in.distinct) out.distinct = lang::FieldByName(in.distinct->text);
  out.within_ns = in.within_ns;
  out.by = fields(in.by);
  out.max_keys = static_cast<size_t>(in.max_keys > 0 ? in.max_keys : lang::kDefaultCorrelationKeys);
  out.max_pending =
      static_cast<size_t>(in.max_pending > 0 ? in.max_pending : lang::kDefaultCorrelationPending);
  for (const auto& st : in.steps) {
    match::CompiledStep s;
    s.name = st.name;
    s.events = st.events;
    for (const auto& j : st.joins) {
      auto a = lang::FieldByName(j.field.text);
      auto b = lang::FieldByName(j.step_field.text);
      if (a && b) s.joins.push_back({*a, static_cast<uint16_t>(j.step), *b});
    }
    out.steps.push_back(std::move(s));
  }
  const lang::ast::Throttle& t = rule.throttle;
  c.throttle.limit = t.limit;
  c.throttle.per_ns = t.per_ns;
  c.throttle.fold = t.fold;
  c.throttle.by = out.by;
}

// What --explain prints of a rule's correlation and throttle, or nothing.
}  // namespace

Result<match::MatchNode, lang::Diagnostics> CompileCondition(const lang::Program& program,
                                                             const lang::ast::Expr& condition) {
  lang::Diagnostics diags;
  RuleBuilder builder(program, diags);
  IrNode ir = builder.Build(condition);
  if (diags.errors() > 0) return diags;
  Fold(ir);
  MergeAlternatives(ir);
  Fold(ir);
  return Materialize(ir);
}

std::vector<std::string> DescribeExceptions(const lang::ast::RuleDecl& rule) {
  std::vector<std::string> out;
  for (const auto& x : rule.exceptions) {
    if (!x.usable) continue;
    std::string fields;
    for (size_t i = 0; i < x.fields.size(); ++i) {
      fields += (i ? ", " : "") + OperandText(x.fields[i]);
      if (x.ops[i] != Op::kEq) fields += std::string(" ") + lang::ast::OpName(x.ops[i]);
    }
    size_t appended = 0;
    for (const auto& t : x.tuples) appended += t.appended ? 1 : 0;
    std::string line = x.name + " (" + fields + "): " + std::to_string(x.tuples.size()) +
                       (x.tuples.size() == 1 ? " tuple" : " tuples");
    if (appended) line += ", " + std::to_string(appended) + " appended";
    out.push_back(std::move(line));
  }
  return out;
}

Result<std::unique_ptr<match::RuleSet>, lang::Diagnostics> CompileRules(
    const lang::Program& program, const RuleCompileOptions& options) {
  lang::Diagnostics diags;
  auto set = std::make_unique<match::RuleSet>();
  std::map<const lang::ast::RuleDecl*, uint64_t> selected;
  // A policy's throttle for the rules it selects that have none (the lowest policy wins).
  std::map<const lang::ast::RuleDecl*, const lang::ast::Throttle*> policy_throttle;
  for (const auto& p : program.policies) {
    if (p.decl && p.decl->throttle.limit > 0)
      for (const auto* r : p.rules) policy_throttle.emplace(r, &p.decl->throttle);
    set->AddPolicy({p.decl ? p.decl->name : "?", p.index,
                    p.decl ? p.decl->action : lang::ast::Action::kAlert, false});
    for (const auto* r : p.rules) selected[r] |= uint64_t{1} << p.index;
  }
  const bool implicit = program.policies.empty() && options.implicit_policy;
  if (implicit) set->AddPolicy({kImplicitPolicyName, 0, lang::ast::Action::kAlert, true});

  for (const lang::ast::RuleDecl* rule : program.rule_order) {
    match::CompiledRule c;
    c.name = rule->name;
    c.desc = rule->desc;
    c.severity = rule->severity.value_or(lang::ast::Severity::kMedium);
    c.mitre = Texts(rule->mitre);
    c.tags = Texts(rule->tags);
    c.output = match::OutputTemplate::Parse(rule->output);
    c.events = rule->events;
    c.enabled = rule->enabled;
    c.where = program.sources.Position(rule->loc);
    c.exceptions = DescribeExceptions(*rule);
    if (implicit)
      c.policies = rule->enabled ? 1 : 0;
    else if (auto it = selected.find(rule); it != selected.end())
      c.policies = it->second;

    RuleBuilder builder(program, diags);
    auto build = [&](const lang::ast::Expr* when, lang::EventMask events, MatchNode& condition,
                     std::array<std::shared_ptr<const match::Matcher>, match::kEventTypes>& out) {
      IrNode ir = when ? builder.Build(*when) : IrNode::Constant(true);
      Fold(ir);
      MergeAlternatives(ir);
      Fold(ir);
      condition = Materialize(ir);
      OrderByCost(condition);
      for (size_t t = 0; t < match::kEventTypes; ++t) {
        auto type = static_cast<lang::EventType>(t);
        if (!(events & lang::Bit(type))) continue;
        MatchNode specialised = Specialize(condition, type);
        Fold(specialised);
        if (specialised.kind == NodeKind::kFalse) continue;
        out[t] = std::make_shared<const match::Matcher>(specialised);
      }
    };
    CompileTime(*rule, c);
    if (!c.throttle.active())
      if (auto it = policy_throttle.find(rule); it != policy_throttle.end()) {
        c.throttle.limit = it->second->limit;
        c.throttle.per_ns = it->second->per_ns;
        c.throttle.fold = it->second->fold;
      }
    if (rule->correlation.steps.empty()) {
      build(rule->when ? &*rule->when : nullptr, c.events, c.condition, c.by_type);
    } else {
      // Each step: the rule's condition (and its exceptions) and the step's own.
      std::array<std::shared_ptr<const match::Matcher>, match::kEventTypes> none;
      build(rule->when ? &*rule->when : nullptr, c.events, c.condition, none);
      for (size_t i = 0; i < rule->correlation.steps.size(); ++i) {
        const lang::ast::Step& st = rule->correlation.steps[i];
        std::optional<lang::ast::Expr> both;
        if (rule->when && st.when) {
          both.emplace();
          both->op = Op::kAnd;
          both->loc = st.when->loc;
          both->children = {*rule->when, *st.when};
        } else if (rule->when) {
          both = rule->when;
        } else if (st.when) {
          both = st.when;
        }
        match::CompiledStep& out = c.correlation.steps[i];
        build(both ? &*both : nullptr, st.events, out.condition, out.by_type);
      }
    }
    set->AddRule(std::move(c));
  }
  if (diags.errors() > 0) {
    diags.Sort();
    return diags;
  }
  set->BuildIndex();
  return set;
}

match::MatchNode SpecializeCondition(const match::MatchNode& condition, lang::EventType type) {
  MatchNode m = Specialize(condition, type);
  Fold(m);
  return m;
}

}  // namespace vigil::compile
