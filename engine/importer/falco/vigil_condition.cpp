#include "importer/falco/vigil_condition.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <regex>

#include "importer/vgl_text.h"
#include "lang/events.h"
#include "lang/fields.h"

namespace vigil::importer::falco {
namespace {

bool IsConst(const VNode& n, VNode::Kind k) {
  return n.kind == k;
}

std::string RenderValue(const VValue& v) {
  switch (v.kind) {
    case VValue::Kind::kString:
      return VglString(v.text);
    case VValue::Kind::kInt:
      return std::to_string(v.number);
    case VValue::Kind::kConst:
      return v.text;
    case VValue::Kind::kCidr:
      return "cidr(" + VglString(v.text) + ")";
  }
  return "";
}

std::string RenderList(const VNode& n) {
  if (!n.list_ref.empty()) return n.list_ref;
  std::string out = "[";
  for (size_t i = 0; i < n.values.size(); ++i) {
    if (i) out += ", ";
    out += RenderValue(n.values[i]);
  }
  return out + "]";
}

std::string RegexQuote(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ' ' && c != '/' &&
        c != '-' && c != ':' && c != '=' && c != ',')
      out += '\\';
    out += c;
  }
  return out;
}

std::string RenderPred(const VNode& n) {
  const std::string& f = n.field;
  if (n.op == "bool") return f;
  if (n.op == "exists") return "exists " + f;
  if (n.op.rfind("args_", 0) == 0) {
    std::string re = "^[^ ]* ";
    std::string v = RegexQuote(n.values.at(0).text);
    if (n.op == "args_startswith") re += v;
    if (n.op == "args_contains") re += ".*" + v;
    if (n.op == "args_icontains") re = "(?i)" + re + ".*" + v;
    if (n.op == "args_endswith") re += ".*" + v + "$";
    return "proc.cmdline matches " + VglString(re);
  }
  if (n.op == "cwd_startswith") {
    std::string v = n.values.at(0).text;
    std::string dir = v.size() > 1 && v.back() == '/' ? v.substr(0, v.size() - 1) : v;
    return "(" + f + " == " + VglString(dir) + " or " + f + " startswith " + VglString(dir + "/") +
           ")";
  }
  bool list_op =
      n.op == "in" || n.op == "intersects" || n.values.size() != 1 || !n.list_ref.empty();
  if (list_op) return f + " " + n.op + " " + RenderList(n);
  return f + " " + n.op + " " + RenderValue(n.values[0]);
}

void Flatten(VNode::Kind k, VNode&& n, std::vector<VNode>& out) {
  if (n.kind == k && n.macro.empty()) {
    for (auto& c : n.kids) Flatten(k, std::move(c), out);
  } else {
    out.push_back(std::move(n));
  }
}

lang::Type TypeOf(const std::string& field) {
  std::string base = field.substr(0, field.find('['));
  auto id = lang::FieldByName(base);
  return id ? lang::Field(*id).type : lang::Type::kString;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ParseIpv4(const std::string& s, uint32_t* out) {
  unsigned a, b, c, d;
  char tail;
  if (std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4) return false;
  if (a > 255 || b > 255 || c > 255 || d > 255) return false;
  *out = (a << 24) | (b << 16) | (c << 8) | d;
  return true;
}

bool InCidr(const std::string& addr, const std::string& cidr) {
  auto slash = cidr.find('/');
  uint32_t a, net;
  if (!ParseIpv4(addr, &a) || !ParseIpv4(cidr.substr(0, slash), &net)) return addr == cidr;
  int bits = slash == std::string::npos ? 32 : std::atoi(cidr.c_str() + slash + 1);
  uint32_t mask = bits <= 0 ? 0 : bits >= 32 ? 0xFFFFFFFFu : ~((1u << (32 - bits)) - 1);
  return (a & mask) == (net & mask);
}

bool StrOp(const std::string& op, const std::string& v, const std::string& x) {
  if (op == "contains") return v.find(x) != std::string::npos;
  if (op == "icontains") return Lower(v).find(Lower(x)) != std::string::npos;
  if (op == "startswith") return v.rfind(x, 0) == 0;
  if (op == "endswith")
    return v.size() >= x.size() && v.compare(v.size() - x.size(), x.size(), x) == 0;
  if (op == "glob") return GlobMatch(x, v);
  if (op == "matches") {
    try {
      return std::regex_search(v, std::regex(x));
    } catch (const std::regex_error&) {
      return false;
    }
  }
  return false;
}

bool EvalPred(const VNode& n, const TEvent& ev) {
  if (n.op.rfind("args_", 0) == 0) {
    auto it = ev.find("proc.cmdline");
    if (it == ev.end()) return false;
    const auto& cmd = std::get<std::string>(it->second);
    auto sp = cmd.find(' ');
    if (sp == std::string::npos) return false;
    std::string args = cmd.substr(sp + 1);
    std::string op = n.op.substr(5);
    return StrOp(op, args, n.values.at(0).text);
  }
  if (n.op == "cwd_startswith") {
    auto it = ev.find(n.field);
    if (it == ev.end()) return false;
    std::string v = std::get<std::string>(it->second) + "/";
    return v.rfind(n.values.at(0).text, 0) == 0 || v == n.values.at(0).text;
  }
  auto it = ev.find(n.field);
  bool present = it != ev.end();
  if (n.op == "exists") return present;
  if (n.op == "!=" || (n.op == "in" && false)) {
  }
  if (!present) return n.op == "!=";
  const TValue& val = it->second;
  lang::Type type = TypeOf(n.field);
  if (n.op == "bool") return std::get<bool>(val);
  if (type == lang::Type::kBool) {
    bool want = n.values.empty() ? true : n.values[0].number != 0;
    return n.op == "==" ? std::get<bool>(val) == want : std::get<bool>(val) != want;
  }
  if (type == lang::Type::kInt || type == lang::Type::kUint) {
    int64_t v = std::get<int64_t>(val);
    auto num = [](const VValue& x) { return x.number; };
    if (n.op == "in")
      return std::any_of(n.values.begin(), n.values.end(),
                         [&](const VValue& x) { return v == num(x); });
    int64_t x = num(n.values.at(0));
    if (n.op == "==") return v == x;
    if (n.op == "!=") return v != x;
    if (n.op == "<") return v < x;
    if (n.op == "<=") return v <= x;
    if (n.op == ">") return v > x;
    if (n.op == ">=") return v >= x;
    return false;
  }
  if (type == lang::Type::kFlags || type == lang::Type::kStringList) {
    const auto& items = std::get<std::vector<std::string>>(val);
    auto has = [&](const std::string& x) {
      return std::find(items.begin(), items.end(), x) != items.end();
    };
    if (n.op == "contains") return has(n.values.at(0).text);
    if (n.op == "intersects")
      return std::any_of(n.values.begin(), n.values.end(),
                         [&](const VValue& x) { return has(x.text); });
    return false;
  }
  if (type == lang::Type::kAddress) {
    const auto& a = std::get<std::string>(val);
    auto one = [&](const VValue& x) {
      return x.kind == VValue::Kind::kCidr ? InCidr(a, x.text) : a == x.text;
    };
    if (n.op == "in") return std::any_of(n.values.begin(), n.values.end(), one);
    if (n.op == "==") return one(n.values.at(0));
    if (n.op == "!=") return !one(n.values.at(0));
    return false;
  }
  const auto& s = std::get<std::string>(val);
  if (n.op == "==") return s == n.values.at(0).text;
  if (n.op == "!=") return s != n.values.at(0).text;
  if (n.op == "in")
    return std::any_of(n.values.begin(), n.values.end(),
                       [&](const VValue& x) { return s == x.text; });
  return std::any_of(n.values.begin(), n.values.end(),
                     [&](const VValue& x) { return StrOp(n.op, s, x.text); });
}

}  // namespace

VNode True() {
  return VNode{};
}
VNode False() {
  VNode n;
  n.kind = VNode::Kind::kFalse;
  return n;
}
VNode Pred(std::string field, std::string op, std::vector<VValue> values) {
  VNode n;
  n.kind = VNode::Kind::kPred;
  n.field = std::move(field);
  n.op = std::move(op);
  n.values = std::move(values);
  return n;
}
VNode Not(VNode k) {
  VNode n;
  n.kind = VNode::Kind::kNot;
  n.kids.push_back(std::move(k));
  return n;
}

VNode Simplify(VNode n) {
  using K = VNode::Kind;
  if (n.kind == K::kNot) {
    VNode k = Simplify(std::move(n.kids[0]));
    if (k.kind == K::kTrue) return False();
    if (k.kind == K::kFalse) return True();
    if (k.kind == K::kNot && k.macro.empty()) return std::move(k.kids[0]);
    n.kids[0] = std::move(k);
    return n;
  }
  if (n.kind != K::kAnd && n.kind != K::kOr) return n;
  bool is_and = n.kind == K::kAnd;
  std::vector<VNode> kids;
  for (auto& c : n.kids) {
    VNode s = Simplify(std::move(c));
    if (IsConst(s, is_and ? K::kFalse : K::kTrue)) return is_and ? False() : True();
    if (IsConst(s, is_and ? K::kTrue : K::kFalse)) continue;
    Flatten(n.kind, std::move(s), kids);
  }
  if (kids.empty()) return is_and ? True() : False();
  if (kids.size() == 1 && n.macro.empty()) return std::move(kids[0]);
  n.kids = std::move(kids);
  return n;
}

std::string Render(const VNode& n, bool expand_top) {
  using K = VNode::Kind;
  if (!n.macro.empty() && !expand_top) return n.macro;
  switch (n.kind) {
    case K::kTrue:
      return "true";
    case K::kFalse:
      return "false";
    case K::kPred:
      return RenderPred(n);
    case K::kNot: {
      const VNode& k = n.kids[0];
      bool simple = k.kind == K::kPred || !k.macro.empty();
      return simple ? "not " + Render(k) : "not (" + Render(k) + ")";
    }
    case K::kAnd:
    case K::kOr: {
      std::string out;
      for (size_t i = 0; i < n.kids.size(); ++i) {
        const VNode& k = n.kids[i];
        if (i) out += n.kind == K::kAnd ? " and " : " or ";
        bool paren = k.macro.empty() && (k.kind == K::kOr || k.kind == K::kAnd) && k.kind != n.kind;
        out += paren ? "(" + Render(k) + ")" : Render(k);
      }
      return out;
    }
  }
  return "";
}

TEvent Complete(const TEvent& given, const std::string& event_type) {
  TEvent e = given;
  e["evt.type"] = event_type;
  bool syscall = false;
  if (auto t = lang::EventTypeByName(event_type))
    syscall = lang::AllEventTypes()[static_cast<size_t>(*t)].sources.rfind("tracepoint", 0) != 0;
  if (syscall && !e.count("evt.retval") && !e.count("evt.failed")) e["evt.retval"] = int64_t{0};
  if (e.count("evt.retval") && !e.count("evt.failed"))
    e["evt.failed"] = std::get<int64_t>(e["evt.retval"]) < 0;
  if (e.count("file.path")) {
    const auto p = std::get<std::string>(e["file.path"]);
    auto slash = p.rfind('/');
    if (!e.count("file.name"))
      e["file.name"] = slash == std::string::npos ? p : p.substr(slash + 1);
    if (!e.count("file.dir") && slash != std::string::npos)
      e["file.dir"] = slash == 0 ? std::string("/") : p.substr(0, slash);
  }
  if (e.count("proc.args") && !e.count("proc.cmdline")) {
    std::string cmd;
    for (const auto& a : std::get<std::vector<std::string>>(e["proc.args"]))
      cmd += (cmd.empty() ? "" : " ") + a;
    e["proc.cmdline"] = cmd;
  }
  if (e.count("proc.ancestors.name")) {
    const auto names = std::get<std::vector<std::string>>(e["proc.ancestors.name"]);
    if (!names.empty() && !e.count("proc.parent.name")) e["proc.parent.name"] = names[0];
    for (size_t i = 0; i < names.size(); ++i)
      e["proc.aname[" + std::to_string(i + 1) + "]"] = names[i];
  }
  if (e.count("proc.ancestors.exe")) {
    const auto exes = std::get<std::vector<std::string>>(e["proc.ancestors.exe"]);
    if (!exes.empty() && !e.count("proc.parent.exe")) e["proc.parent.exe"] = exes[0];
  }
  return e;
}

bool Evaluate(const VNode& n, const TEvent& ev) {
  using K = VNode::Kind;
  switch (n.kind) {
    case K::kTrue:
      return true;
    case K::kFalse:
      return false;
    case K::kNot:
      return !Evaluate(n.kids[0], ev);
    case K::kAnd:
      return std::all_of(n.kids.begin(), n.kids.end(),
                         [&](const VNode& k) { return Evaluate(k, ev); });
    case K::kOr:
      return std::any_of(n.kids.begin(), n.kids.end(),
                         [&](const VNode& k) { return Evaluate(k, ev); });
    case K::kPred:
      return EvalPred(n, ev);
  }
  return false;
}

void Collect(const VNode& n, std::vector<std::string>* fields, std::vector<std::string>* lists,
             std::vector<std::string>* macros) {
  auto add = [](std::vector<std::string>* v, const std::string& s) {
    if (v && !s.empty() && std::find(v->begin(), v->end(), s) == v->end()) v->push_back(s);
  };
  add(macros, n.macro);
  if (n.kind == VNode::Kind::kPred) {
    add(fields, n.op.rfind("args_", 0) == 0 ? "proc.cmdline" : n.field);
    add(lists, n.list_ref);
  }
  for (const auto& k : n.kids) Collect(k, fields, lists, macros);
}

bool GlobMatch(const std::string& p, const std::string& t) {
  size_t pi = 0, ti = 0, star = std::string::npos, mark = 0;
  auto one = [&](size_t& i, char c) -> int {  // 1 match, 0 no, advances i past the token
    if (p[i] == '?') {
      ++i;
      return 1;
    }
    if (p[i] == '[') {
      size_t j = i + 1;
      bool neg = j < p.size() && (p[j] == '!' || p[j] == '^');
      if (neg) ++j;
      bool hit = false;
      size_t start = j;
      while (j < p.size() && (p[j] != ']' || j == start)) {
        if (j + 2 < p.size() && p[j + 1] == '-' && p[j + 2] != ']') {
          hit |= c >= p[j] && c <= p[j + 2];
          j += 3;
        } else {
          hit |= c == p[j];
          ++j;
        }
      }
      i = j + 1;
      return hit != neg;
    }
    if (p[i] == '\\' && i + 1 < p.size()) ++i;
    bool m = p[i] == c;
    ++i;
    return m;
  };
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
      continue;
    }
    size_t save = pi;
    if (pi < p.size() && one(pi, t[ti])) {
      ++ti;
      continue;
    }
    pi = save;
    if (star == std::string::npos) return false;
    pi = star + 1;
    ti = ++mark;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace vigil::importer::falco
