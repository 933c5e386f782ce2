#include "importer/sigma/sigma_testgen.h"

#include <re2/re2.h>

#include <algorithm>
#include <climits>
#include <functional>
#include <set>

#include "importer/vgl_text.h"
#include "util/ip_address.h"

namespace vigil::importer::sigma {
namespace {

constexpr size_t kMaxTerms = 512;  // conjunctions tried per search

struct Literal {
  const Test* test;
  bool positive;
};
using Term = std::vector<Literal>;

// Disjunctive normal form, bounded: at most kMaxTerms conjunctions (the rest are not tried).
std::vector<Term> Dnf(const Expr& e, bool positive) {
  switch (e.kind) {
    case Expr::Kind::kConst:
      return e.value == positive ? std::vector<Term>{Term{}} : std::vector<Term>{};
    case Expr::Kind::kLeaf:
      return {Term{Literal{&e.test, positive}}};
    case Expr::Kind::kNot:
      return Dnf(e.kids[0], !positive);
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      bool conj = (e.kind == Expr::Kind::kAnd) == positive;
      if (!conj) {
        std::vector<Term> out;
        for (const auto& k : e.kids) {
          for (auto& t : Dnf(k, positive)) {
            if (out.size() >= kMaxTerms) return out;
            out.push_back(std::move(t));
          }
        }
        return out;
      }
      std::vector<Term> acc{Term{}};
      for (const auto& k : e.kids) {
        auto kid = Dnf(k, positive);
        std::vector<Term> next;
        for (const auto& a : acc)
          for (const auto& b : kid) {
            if (next.size() >= kMaxTerms) break;
            Term t = a;
            t.insert(t.end(), b.begin(), b.end());
            next.push_back(std::move(t));
          }
        acc = std::move(next);
        if (acc.empty()) return acc;
      }
      return acc;
    }
  }
  return {};
}

// Glob pattern to one text it matches: '*' empty, '?' one letter, escapes resolved.
std::string GlobSample(const std::string& g) {
  std::string out;
  for (size_t i = 0; i < g.size(); ++i) {
    if (g[i] == '\\' && i + 1 < g.size()) {
      out += g[++i];
    } else if (g[i] == '?') {
      out += 'x';
    } else if (g[i] != '*') {
      out += g[i];
    }
  }
  return out;
}

// A small generator for the regular expressions Sigma rules use: literals, classes, '.',
// groups with alternatives, quantifiers (their minimum count), anchors.
class RegexGen {
 public:
  explicit RegexGen(const std::string& p) : p_(p) {}
  std::optional<std::string> Run() {
    if (p_.compare(0, 2, "(?") == 0 && p_.size() > 2 && p_[2] != ':') {
      auto close = p_.find(')');
      if (close == std::string::npos) return std::nullopt;
      i_ = close + 1;
    }
    auto s = Alternatives(0);
    if (!s || i_ != p_.size()) return std::nullopt;
    return s;
  }

 private:
  std::optional<std::string> Alternatives(int depth) {
    if (depth > 32) return std::nullopt;
    auto first = Sequence(depth);
    if (!first) return std::nullopt;
    while (i_ < p_.size() && p_[i_] == '|') {
      ++i_;
      if (!Sequence(depth)) return std::nullopt;  // parsed, not used: the first branch is taken
    }
    return first;
  }

  std::optional<std::string> Sequence(int depth) {
    std::string out;
    while (i_ < p_.size() && p_[i_] != '|' && p_[i_] != ')') {
      auto atom = Atom(depth);
      if (!atom) return std::nullopt;
      size_t reps = 1;
      if (i_ < p_.size()) {
        char q = p_[i_];
        if (q == '*' || q == '?') {
          reps = 0;
          ++i_;
        } else if (q == '+') {
          ++i_;
        } else if (q == '{') {
          auto close = p_.find('}', i_);
          if (close == std::string::npos) return std::nullopt;
          reps = static_cast<size_t>(std::atoi(p_.c_str() + i_ + 1));
          i_ = close + 1;
        }
        if (i_ < p_.size() && (p_[i_] == '?' || p_[i_] == '+')) ++i_;  // lazy, possessive
      }
      if (reps > 4096) return std::nullopt;
      for (size_t r = 0; r < reps; ++r) out += *atom;
    }
    return out;
  }

  static std::optional<char> ClassChar(char c) {
    switch (c) {
      case 's':
        return ' ';
      case 'd':
        return '0';
      case 'w':
      case 'S':
      case 'D':
        return 'a';
      case 'W':
        return ' ';
      default:
        return std::nullopt;
    }
  }

  std::optional<std::string> Atom(int depth) {
    char c = p_[i_];
    if (c == '(') {
      ++i_;
      if (p_.compare(i_, 2, "?:") == 0) {
        i_ += 2;
      } else if (i_ < p_.size() && p_[i_] == '?') {
        return std::nullopt;  // look-around and named groups: not generated
      }
      auto s = Alternatives(depth + 1);
      if (!s || i_ >= p_.size() || p_[i_] != ')') return std::nullopt;
      ++i_;
      return s;
    }
    if (c == '[') return Class();
    if (c == '.') {
      ++i_;
      return std::string("a");
    }
    if (c == '^' || c == '$') {
      ++i_;
      return std::string();
    }
    if (c == '\\') {
      if (i_ + 1 >= p_.size()) return std::nullopt;
      char e = p_[i_ + 1];
      i_ += 2;
      if (auto k = ClassChar(e)) return std::string(1, *k);
      if (e == 'b' || e == 'B' || e == 'A' || e == 'z') return std::string();
      if (e == 'n') return std::string("\n");
      if (e == 't') return std::string("\t");
      if (std::isalnum(static_cast<unsigned char>(e))) return std::nullopt;
      return std::string(1, e);
    }
    ++i_;
    return std::string(1, c);
  }

  // A class: the first listed character, or for a negated class a common one it leaves out.
  std::optional<std::string> Class() {
    ++i_;
    bool negated = i_ < p_.size() && p_[i_] == '^';
    if (negated) ++i_;
    std::set<char> members;
    bool first = true;
    std::optional<char> pick;
    while (i_ < p_.size() && (p_[i_] != ']' || first)) {
      first = false;
      char c = p_[i_];
      std::vector<char> add;
      if (c == '\\' && i_ + 1 < p_.size()) {
        char e = p_[i_ + 1];
        i_ += 2;
        if (e == 's') {
          for (char w : std::string(" \t\n\r\f\v")) add.push_back(w);
        } else if (e == 'd') {
          for (char d = '0'; d <= '9'; ++d) add.push_back(d);
        } else if (e == 'w') {
          for (char d = 'a'; d <= 'z'; ++d) add.push_back(d);
          add.push_back('_');
        } else {
          add.push_back(e);
        }
      } else if (i_ + 2 < p_.size() && p_[i_ + 1] == '-' && p_[i_ + 2] != ']') {
        for (int d = static_cast<unsigned char>(c); d <= static_cast<unsigned char>(p_[i_ + 2]);
             ++d)
          add.push_back(static_cast<char>(d));
        i_ += 3;
      } else {
        add.push_back(c);
        ++i_;
      }
      if (!pick && !add.empty()) pick = add[0];
      members.insert(add.begin(), add.end());
    }
    if (i_ >= p_.size()) return std::nullopt;
    ++i_;  // ']'
    if (!negated) return pick ? std::optional<std::string>(std::string(1, *pick)) : std::nullopt;
    for (char c : std::string("axZ0_.:/ "))
      if (!members.count(c)) return std::string(1, c);
    return std::nullopt;
  }

  const std::string& p_;
  size_t i_ = 0;
};

std::string Network(const std::string& block) {
  auto slash = block.find('/');
  auto ip = ParseIpAddress(block.substr(0, slash));
  if (!ip) return block;
  return IpAddressText(*ip);
}

// The event for one conjunction: each field's value built from its positive tests; then every
// literal of the term is checked.
std::optional<Event> Build(const Term& term, const char* sep) {
  struct Want {
    VField field;
    std::vector<const Test*> tests;
  };
  std::map<std::string, Want> by_field;
  std::set<std::string> absent;
  for (const auto& l : term) {
    if (l.positive) {
      auto& w = by_field[l.test->field.name];
      w.field = l.test->field;
      w.tests.push_back(l.test);
    }
  }
  Event ev;
  for (const auto& [name, w] : by_field) {
    EventValue v;
    v.type = w.field.type;
    if (w.field.type == FieldType::kInt || w.field.type == FieldType::kUint) {
      int64_t lo = w.field.type == FieldType::kUint ? 0 : INT64_MIN, hi = INT64_MAX;
      std::optional<int64_t> eq;
      for (const Test* t : w.tests) {
        if (t->op == Op::kEq) eq = t->number;
        if (t->op == Op::kGt) lo = std::max(lo, t->number + 1);
        if (t->op == Op::kGe) lo = std::max(lo, t->number);
        if (t->op == Op::kLt) hi = std::min(hi, t->number - 1);
        if (t->op == Op::kLe) hi = std::min(hi, t->number);
      }
      v.number = eq ? *eq : (lo == INT64_MIN ? std::min<int64_t>(hi, 1) : lo);
    } else if (w.field.type == FieldType::kAddress) {
      v.text = "192.0.2.1";
      for (const Test* t : w.tests) {
        if (t->op == Op::kEq) v.text = t->text;
        if (t->op == Op::kCidr) v.text = Network(t->text);
      }
    } else if (w.field.type == FieldType::kBool) {
      v.flag = true;
    } else {
      std::optional<std::string> eq;
      std::string start, end;
      std::vector<std::string> middle;
      for (const Test* t : w.tests) {
        switch (t->op) {
          case Op::kEq:
            eq = t->text;
            break;
          case Op::kStartsWith:
            if (t->text.size() > start.size()) start = t->text;
            break;
          case Op::kEndsWith:
            if (t->text.size() > end.size()) end = t->text;
            break;
          case Op::kContains:
            middle.push_back(t->text);
            break;
          case Op::kGlob:
            middle.push_back(GlobSample(t->text));
            break;
          case Op::kRegex: {
            auto s = RegexSample(t->text);
            if (!s) return std::nullopt;
            middle.push_back(*s);
            break;
          }
          default:
            break;
        }
      }
      if (eq) {
        v.text = *eq;
      } else {
        std::string s = start;
        for (const auto& m : middle) s += (s.empty() ? "" : sep) + m;
        if (!end.empty()) s += (s.empty() ? "" : sep) + end;
        v.text = s.empty() ? "x" : s;
      }
    }
    ev[name] = v;
  }
  for (const auto& l : term)
    if (EvaluateTest(*l.test, ev) != l.positive) return std::nullopt;
  return ev;
}

std::optional<Event> SatisfyWith(const Expr& e, bool want) {
  for (const auto& term : Dnf(e, want)) {
    for (const char* sep : {" ", ""}) {
      auto ev = Build(term, sep);
      if (ev && Evaluate(e, *ev) == want) return ev;
    }
  }
  return std::nullopt;
}

// Every negated part of `e`, each with the condition where only it is made positive.
void Unnegate(const Expr& e, const Expr& root, std::vector<Expr>& out, std::vector<size_t>& path) {
  if (e.kind == Expr::Kind::kNot) {
    // The filter itself, one case per alternative of it.
    const Expr& f = e.kids[0];
    std::vector<Expr> alternatives = f.kind == Expr::Kind::kOr ? f.kids : std::vector<Expr>{f};
    for (const auto& alt : alternatives) {
      Expr copy = root;
      Expr* node = &copy;
      for (size_t i : path) node = &node->kids[i];
      *node = alt;
      out.push_back(Simplify(copy));
    }
    return;
  }
  for (size_t i = 0; i < e.kids.size(); ++i) {
    path.push_back(i);
    Unnegate(e.kids[i], root, out, path);
    path.pop_back();
  }
}

}  // namespace

std::optional<std::string> RegexSample(const std::string& pattern) {
  auto s = RegexGen(pattern).Run();
  if (!s) return std::nullopt;
  RE2::Options opt;
  opt.set_log_errors(false);
  RE2 re(pattern, opt);
  if (!re.ok() || !RE2::PartialMatch(*s, re)) return std::nullopt;
  return s;
}

std::optional<Event> Satisfy(const Expr& e) {
  return SatisfyWith(e, true);
}

TestCases GenerateTests(const Expr& condition, size_t max_cases) {
  TestCases out;
  Expr cond = Simplify(condition);
  auto add = [&](std::vector<Event>& to, const Event& ev) {
    if (to.size() < max_cases && std::find(to.begin(), to.end(), ev) == to.end()) to.push_back(ev);
  };
  std::vector<Expr> alternatives =
      cond.kind == Expr::Kind::kOr ? cond.kids : std::vector<Expr>{cond};
  for (const auto& alt : alternatives) {
    auto ev = Satisfy(alt);
    if (ev && Evaluate(cond, *ev)) add(out.alert, *ev);
  }
  std::vector<Expr> filtered;
  std::vector<size_t> path;
  Unnegate(cond, cond, filtered, path);
  for (const auto& f : filtered) {
    auto ev = Satisfy(f);
    if (ev && !Evaluate(cond, *ev)) add(out.quiet, *ev);
  }
  // One unrelated event: every field the condition reads, with a value no rule looks for.
  Event other;
  std::function<void(const Expr&)> collect = [&](const Expr& e) {
    if (e.kind == Expr::Kind::kLeaf) {
      EventValue v;
      v.type = e.test.field.type;
      v.text = v.type == FieldType::kAddress ? "192.0.2.1" : "vigil-quiet";
      v.number = 0;
      v.flag = true;
      other[e.test.field.name] = v;
    }
    for (const auto& k : e.kids) collect(k);
  };
  collect(cond);
  if (!Evaluate(cond, other)) add(out.quiet, other);
  return out;
}

std::string RenderEvent(const Event& event) {
  std::string out = "{ ";
  bool first = true;
  for (const auto& [name, v] : event) {
    if (!first) out += ", ";
    first = false;
    if (name == "open.create") {
      out += v.flag ? "open.flags: [O_WRONLY, O_CREAT]" : "open.flags: [O_WRONLY]";
      continue;
    }
    out += name + ": ";
    switch (v.type) {
      case FieldType::kInt:
      case FieldType::kUint:
        out += std::to_string(v.number);
        break;
      case FieldType::kBool:
        out += v.flag ? "true" : "false";
        break;
      case FieldType::kString:
      case FieldType::kAddress:
        out += VglString(v.text);
        break;
    }
  }
  return out + " }";
}

}  // namespace vigil::importer::sigma
