#include "importer/sigma/sigma_expr.h"

#include <re2/re2.h>

#include <memory>

#include "importer/vgl_text.h"
#include "lang/values.h"
#include "util/ip_address.h"

namespace vigil::importer::sigma {
namespace {

char LowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string Lower(std::string s) {
  for (char& c : s) c = LowerAscii(c);
  return s;
}

bool IsNumeric(FieldType t) {
  return t == FieldType::kInt || t == FieldType::kUint;
}

// Whether `address` lies in the block "a.b.c.d/len" (IPv4 blocks as IPv4-mapped IPv6).
bool InCidr(const std::string& address, const std::string& block) {
  auto slash = block.find('/');
  auto ip = ParseIpAddress(address);
  auto net = ParseIpAddress(block.substr(0, slash));
  if (!ip || !net) return false;
  int len = net->is_v4() ? 32 : 128;
  if (slash != std::string::npos) len = std::atoi(block.c_str() + slash + 1);
  if (net->is_v4()) {
    if (!ip->is_v4()) return false;
    len += 96;
  }
  for (int bit = 0; bit < len && bit < 128; ++bit) {
    int mask = 0x80 >> (bit % 8);
    if ((ip->bytes[bit / 8] & mask) != (net->bytes[bit / 8] & mask)) return false;
  }
  return true;
}

std::string Operand(const Test& t) {
  bool lower = t.ci && t.op != Op::kContains;
  return lower ? "lower(" + t.field.name + ")" : t.field.name;
}

std::string Value(const Test& t) {
  if (IsNumeric(t.field.type)) return std::to_string(t.number);
  if (t.op == Op::kCidr) return "cidr(" + VglString(t.text) + ")";
  return VglString(t.text);
}

// The operator text for one value, and for a list of values (empty: no list form).
std::pair<std::string, std::string> OpText(const Test& t) {
  switch (t.op) {
    case Op::kEq:
      return {"==", "in"};
    case Op::kContains:
      return {t.ci ? "icontains" : "contains", t.ci ? "icontains" : "contains"};
    case Op::kStartsWith:
      return {"startswith", "startswith"};
    case Op::kEndsWith:
      return {"endswith", "endswith"};
    case Op::kCidr:
      return {"in", "in"};
    case Op::kGlob:
      return {"glob", ""};
    case Op::kRegex:
      return {"matches", ""};
    case Op::kLt:
      return {"<", ""};
    case Op::kLe:
      return {"<=", ""};
    case Op::kGt:
      return {">", ""};
    case Op::kGe:
      return {">=", ""};
    case Op::kExists:
    case Op::kTrue:
      return {"", ""};
  }
  return {"", ""};
}

std::string RenderLeaf(const Test& t) {
  if (t.op == Op::kExists) return "exists " + t.field.name;
  if (t.op == Op::kTrue) return t.field.name;
  auto [one, list] = OpText(t);
  if (t.op == Op::kCidr) return Operand(t) + " in [" + Value(t) + "]";
  return Operand(t) + " " + one + " " + Value(t);
}

bool Groupable(const Test& a, const Test& b) {
  return a.field.name == b.field.name && a.op == b.op && a.ci == b.ci && !OpText(a).second.empty();
}

std::string Render(const Expr& e, int parent);  // parent: 0 top, 1 or, 2 and, 3 not

std::string RenderJoined(const Expr& e, const char* word, int level) {
  std::string out;
  for (size_t i = 0; i < e.kids.size();) {
    std::string part;
    const Expr& k = e.kids[i];
    size_t j = i + 1;
    if (e.kind == Expr::Kind::kOr && k.kind == Expr::Kind::kLeaf) {
      while (j < e.kids.size() && e.kids[j].kind == Expr::Kind::kLeaf &&
             Groupable(k.test, e.kids[j].test))
        ++j;
    }
    if (j - i > 1) {
      part = Operand(k.test) + " " + OpText(k.test).second + " [";
      for (size_t m = i; m < j; ++m) part += (m > i ? ", " : "") + Value(e.kids[m].test);
      part += "]";
      if (level > 1) part = "(" + part + ")";  // unreachable for or under or; kept safe
    } else {
      part = Render(k, level);
    }
    if (!out.empty()) out += std::string(" ") + word + " ";
    out += part;
    i = j;
  }
  return out;
}

std::string Render(const Expr& e, int parent) {
  switch (e.kind) {
    case Expr::Kind::kConst:
      return e.value ? "true" : "false";  // callers never render constants (Simplify folds them)
    case Expr::Kind::kLeaf:
      return RenderLeaf(e.test);
    case Expr::Kind::kNot:
      return "not (" + Render(e.kids[0], 0) + ")";
    case Expr::Kind::kAnd: {
      std::string s = RenderJoined(e, "and", 2);
      return parent > 2 ? "(" + s + ")" : s;
    }
    case Expr::Kind::kOr: {
      std::string s = RenderJoined(e, "or", 1);
      return parent > 1 ? "(" + s + ")" : s;
    }
  }
  return "";
}

bool MatchesRegex(const std::string& pattern, const std::string& text) {
  RE2::Options opt;
  opt.set_log_errors(false);
  RE2 re(pattern, opt);
  return re.ok() && RE2::PartialMatch(text, re);
}

}  // namespace

Expr Const(bool value) {
  Expr e;
  e.kind = Expr::Kind::kConst;
  e.value = value;
  return e;
}

Expr Leaf(Test test) {
  Expr e;
  e.kind = Expr::Kind::kLeaf;
  e.test = std::move(test);
  return e;
}

Expr And(std::vector<Expr> kids) {
  Expr e;
  e.kind = Expr::Kind::kAnd;
  e.kids = std::move(kids);
  return Simplify(e);
}

Expr Or(std::vector<Expr> kids) {
  Expr e;
  e.kind = Expr::Kind::kOr;
  e.kids = std::move(kids);
  return Simplify(e);
}

Expr Not(Expr kid) {
  Expr e;
  e.kind = Expr::Kind::kNot;
  e.kids.push_back(std::move(kid));
  return Simplify(e);
}

Expr Simplify(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kConst:
    case Expr::Kind::kLeaf:
      return e;
    case Expr::Kind::kNot: {
      Expr k = Simplify(e.kids[0]);
      if (k.kind == Expr::Kind::kConst) return Const(!k.value);
      if (k.kind == Expr::Kind::kNot) return k.kids[0];
      Expr out;
      out.kind = Expr::Kind::kNot;
      out.kids.push_back(std::move(k));
      return out;
    }
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      bool is_and = e.kind == Expr::Kind::kAnd;
      Expr out;
      out.kind = e.kind;
      for (const auto& kid : e.kids) {
        Expr k = Simplify(kid);
        if (k.kind == Expr::Kind::kConst) {
          if (k.value == is_and) continue;  // neutral element
          return Const(!is_and);            // absorbing element
        }
        if (k.kind == e.kind) {
          for (auto& g : k.kids) out.kids.push_back(std::move(g));
        } else {
          out.kids.push_back(std::move(k));
        }
      }
      if (out.kids.empty()) return Const(is_and);
      if (out.kids.size() == 1) return out.kids[0];
      return out;
    }
  }
  return e;
}

bool Mentions(const Expr& e, const std::string& field) {
  if (e.kind == Expr::Kind::kLeaf) return e.test.field.name == field;
  for (const auto& k : e.kids)
    if (Mentions(k, field)) return true;
  return false;
}

std::string RenderCondition(const Expr& e) {
  return Render(Simplify(e), 0);
}

bool EvaluateTest(const Test& t, const Event& event) {
  auto it = event.find(t.field.name);
  if (it == event.end()) return false;
  const EventValue& v = it->second;
  if (t.op == Op::kExists) return true;
  if (t.op == Op::kTrue) return v.flag;
  if (IsNumeric(t.field.type)) {
    switch (t.op) {
      case Op::kEq:
        return v.number == t.number;
      case Op::kLt:
        return v.number < t.number;
      case Op::kLe:
        return v.number <= t.number;
      case Op::kGt:
        return v.number > t.number;
      case Op::kGe:
        return v.number >= t.number;
      default:
        return false;
    }
  }
  if (t.field.type == FieldType::kAddress) {
    if (t.op == Op::kCidr) return InCidr(v.text, t.text);
    auto a = ParseIpAddress(v.text);
    auto b = ParseIpAddress(t.text);
    return t.op == Op::kEq && a && b && *a == *b;
  }
  std::string value = t.ci ? Lower(v.text) : v.text;
  std::string want = t.ci && t.op != Op::kRegex ? Lower(t.text) : t.text;
  switch (t.op) {
    case Op::kEq:
      return value == want;
    case Op::kContains:
      return value.find(want) != std::string::npos;
    case Op::kStartsWith:
      return value.compare(0, want.size(), want) == 0;
    case Op::kEndsWith:
      return value.size() >= want.size() &&
             value.compare(value.size() - want.size(), want.size(), want) == 0;
    case Op::kGlob:
      return lang::GlobMatch(want, value);
    case Op::kRegex:
      return MatchesRegex(t.text, v.text);
    default:
      return false;
  }
}

bool Evaluate(const Expr& e, const Event& event) {
  switch (e.kind) {
    case Expr::Kind::kConst:
      return e.value;
    case Expr::Kind::kLeaf:
      return EvaluateTest(e.test, event);
    case Expr::Kind::kNot:
      return !Evaluate(e.kids[0], event);
    case Expr::Kind::kAnd:
      for (const auto& k : e.kids)
        if (!Evaluate(k, event)) return false;
      return true;
    case Expr::Kind::kOr:
      for (const auto& k : e.kids)
        if (Evaluate(k, event)) return true;
      return false;
  }
  return false;
}

}  // namespace vigil::importer::sigma
