#include "importer/falco/falco_testgen.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "importer/vgl_text.h"
#include "lang/events.h"
#include "lang/fields.h"

namespace vigil::importer::falco {
namespace {

struct Lit {
  const VNode* pred;
  bool positive;
};
using Conj = std::vector<Lit>;
constexpr size_t kCap = 256;

std::vector<Conj> Dnf(const VNode& n, bool want) {
  using K = VNode::Kind;
  switch (n.kind) {
    case K::kTrue:
      return want ? std::vector<Conj>{{}} : std::vector<Conj>{};
    case K::kFalse:
      return want ? std::vector<Conj>{} : std::vector<Conj>{{}};
    case K::kPred:
      return {{Lit{&n, want}}};
    case K::kNot:
      return Dnf(n.kids[0], !want);
    case K::kAnd:
    case K::kOr: {
      bool product = (n.kind == K::kAnd) == want;
      std::vector<Conj> acc = product ? std::vector<Conj>{{}} : std::vector<Conj>{};
      for (const auto& k : n.kids) {
        auto part = Dnf(k, want);
        if (product) {
          std::vector<Conj> next;
          for (const auto& a : acc)
            for (const auto& b : part) {
              if (next.size() >= kCap) break;
              Conj c = a;
              c.insert(c.end(), b.begin(), b.end());
              next.push_back(std::move(c));
            }
          acc = std::move(next);
          if (acc.empty()) return acc;
        } else {
          for (auto& b : part)
            if (acc.size() < kCap) acc.push_back(std::move(b));
        }
      }
      return acc;
    }
  }
  return {};
}

lang::Type TypeOf(const std::string& field) {
  auto id = lang::FieldByName(field.substr(0, field.find('[')));
  return id ? lang::Field(*id).type : lang::Type::kString;
}

std::string Group(const std::string& f) {
  if (f == "proc.parent.name" || f.rfind("proc.aname[", 0) == 0 || f == "proc.ancestors.name")
    return "ancestors";
  if (f == "file.path" || f == "file.name" || f == "file.dir") return "file";
  if (f == "evt.failed" || f == "evt.retval") return "result";
  return f;
}

std::string GlobInstance(const std::string& g) {
  std::string out;
  for (size_t i = 0; i < g.size(); ++i) {
    char c = g[i];
    if (c == '*') {
      out += 'u';
    } else if (c == '?') {
      out += 'u';
    } else if (c == '[') {
      size_t j = i + 1;
      if (j < g.size() && (g[j] == '!' || g[j] == '^')) {
        out += '_';
        while (j < g.size() && g[j] != ']') ++j;
      } else {
        out += g[j];
        while (j < g.size() && g[j] != ']') ++j;
      }
      i = j;
    } else if (c == '\\' && i + 1 < g.size()) {
      out += g[++i];
    } else {
      out += c;
    }
  }
  return out;
}

// Candidate strings meeting the positive tests of one string field.
std::vector<std::string> StringCandidates(const std::vector<const VNode*>& pos,
                                          const std::string& fallback) {
  std::vector<std::string> out;
  std::string pre, suf, mids, glob, args_pre, args_mid, args_suf;
  bool args = false;
  for (const VNode* p : pos) {
    const std::string v = p->values.empty() ? "" : p->values[0].text;
    if (p->op == "==") out.insert(out.begin(), v);
    if (p->op == "in")
      for (size_t i = 0; i < p->values.size() && i < 40; ++i) out.push_back(p->values[i].text);
    if (p->op == "startswith" && v.size() > pre.size()) pre = v;
    if (p->op == "cwd_startswith")
      pre = v.size() > 1 && v.back() == '/' ? v.substr(0, v.size() - 1) : v;
    if (p->op == "endswith") suf = v;
    if (p->op == "contains" || p->op == "icontains") mids += v;
    if (p->op == "glob") glob = GlobInstance(v);
    if (p->op == "args_startswith") args = true, args_pre = v;
    if (p->op == "args_contains" || p->op == "args_icontains") args = true, args_mid += v;
    if (p->op == "args_endswith") args = true, args_suf = v;
  }
  if (args) {
    std::string head = pre.empty() ? "prog" : pre;
    out.push_back(head + " " + args_pre + args_mid + args_suf);
    out.push_back(head + " " + args_pre + " " + args_mid + " " + args_suf);
  }
  std::string composed = pre + mids + glob + suf;
  out.push_back(composed.empty() ? fallback : composed);
  if (!glob.empty()) {
    out.push_back(pre + glob + mids + suf);
    out.push_back(glob);
  }
  return out;
}

class Builder {
 public:
  Builder(const VNode& root, const Conj& conj, std::string type)
      : root_(root), conj_(conj), type_(std::move(type)) {}

  bool Build(TEvent* out) {
    std::map<std::string, std::vector<Lit>> groups;
    std::vector<std::string> order;
    for (const auto& l : conj_) {
      if (l.pred->field == "evt.type") continue;
      std::string g = Group(l.pred->field);
      if (!groups.count(g)) order.push_back(g);
      groups[g].push_back(l);
    }
    TEvent ev;
    for (const auto& g : order) {
      auto cands = Candidates(g, groups[g]);
      bool found = false;
      for (auto& c : cands) {
        TEvent trial = ev;
        for (auto& [k, v] : c) trial[k] = v;
        if (Holds(groups[g], trial)) {
          ev = std::move(trial);
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    if (!Evaluate(root_, Complete(ev, type_))) return false;
    *out = std::move(ev);
    return true;
  }

 private:
  bool Holds(const std::vector<Lit>& lits, const TEvent& ev) {
    TEvent full = Complete(ev, type_);
    for (const auto& l : lits)
      if (Evaluate(*l.pred, full) != l.positive) return false;
    return true;
  }

  static std::vector<const VNode*> Positive(const std::vector<Lit>& lits, const std::string& f) {
    std::vector<const VNode*> out;
    for (const auto& l : lits)
      if (l.positive && l.pred->field == f) out.push_back(l.pred);
    return out;
  }

 public:
  std::vector<TEvent> Candidates(const std::string& g, const std::vector<Lit>& lits) {
    std::vector<TEvent> out;
    bool any_positive =
        std::any_of(lits.begin(), lits.end(), [](const Lit& l) { return l.positive; });
    if (!any_positive) out.push_back({});  // absent satisfies the negative tests
    if (g == "result") {
      out.push_back({{"evt.retval", int64_t{-13}}});
      out.push_back({{"evt.retval", int64_t{0}}});
      return out;
    }
    if (g == "file") {
      auto paths = Positive(lits, "file.path");
      if (!paths.empty()) {
        for (auto& s : StringCandidates(paths, "/tmp/f")) out.push_back({{"file.path", s}});
        return out;
      }
      auto dirs = StringCandidates(Positive(lits, "file.dir"), "/tmp");
      auto names = StringCandidates(Positive(lits, "file.name"), "f");
      for (const auto& d : dirs)
        for (const auto& n : names) out.push_back({{"file.path", (d == "/" ? "" : d) + "/" + n}});
      return out;
    }
    if (g == "ancestors") {
      std::map<int, std::vector<std::string>> slots;
      std::vector<std::string> extra;
      for (const auto& l : lits) {
        if (!l.positive) continue;
        const std::string& f = l.pred->field;
        if (f == "proc.ancestors.name") {
          if (!l.pred->values.empty()) extra.push_back(l.pred->values[0].text);
          continue;
        }
        int n = f == "proc.parent.name" ? 1 : std::atoi(f.c_str() + 11);
        if (!slots.count(n)) slots[n] = StringCandidates(Positive(lits, f), "anc");
      }
      for (size_t pick = 0; pick < 40; ++pick) {
        std::vector<std::string> list;
        int max = slots.empty() ? 0 : slots.rbegin()->first;
        bool any = false;
        for (int i = 1; i <= max; ++i) {
          auto it = slots.find(i);
          if (it == slots.end()) {
            list.push_back("anc" + std::to_string(i));
          } else {
            const auto& c = it->second;
            list.push_back(c[std::min(pick, c.size() - 1)]);
            any |= pick < c.size();
          }
        }
        list.insert(list.end(), extra.begin(), extra.end());
        if (!list.empty()) out.push_back({{"proc.ancestors.name", list}});
        if (!any) break;
      }
      return out;
    }
    const std::string& f = g;
    auto pos = Positive(lits, f);
    switch (TypeOf(f)) {
      case lang::Type::kBool:
        out.push_back({{f, true}});
        out.push_back({{f, false}});
        break;
      case lang::Type::kInt:
      case lang::Type::kUint: {
        std::vector<int64_t> nums;
        for (const VNode* p : pos) {
          if (p->values.empty()) continue;
          int64_t v = p->values[0].number;
          if (p->op == "==" || p->op == ">=" || p->op == "<=") nums.push_back(v);
          if (p->op == ">") nums.push_back(v + 1);
          if (p->op == "<") nums.push_back(v - 1);
          if (p->op == "in")
            for (const auto& x : p->values) nums.push_back(x.number);
        }
        nums.push_back(1);
        for (auto v : nums) out.push_back({{f, v}});
        break;
      }
      case lang::Type::kFlags:
      case lang::Type::kStringList: {
        std::vector<std::string> items;
        for (const VNode* p : pos)
          if (!p->values.empty()) items.push_back(p->values[0].text);
        if (items.empty()) items.push_back("x");
        out.push_back({{f, items}});
        break;
      }
      case lang::Type::kAddress: {
        for (const VNode* p : pos)
          for (const auto& v : p->values) {
            if (v.kind == VValue::Kind::kCidr) {
              std::string base = v.text.substr(0, v.text.find('/'));
              auto dot = base.rfind('.');
              if (dot != std::string::npos) out.push_back({{f, base.substr(0, dot) + ".1"}});
            } else {
              out.push_back({{f, v.text}});
            }
          }
        out.push_back({{f, std::string("203.0.113.7")}});
        break;
      }
      case lang::Type::kString:
        for (auto& s : StringCandidates(pos, "x")) out.push_back({{f, s}});
        break;
    }
    return out;
  }

  const VNode& root_;
  const Conj& conj_;
  std::string type_;
};

std::vector<std::string> TypesFor(const Conj& conj, const std::vector<std::string>& types) {
  std::vector<std::string> out;
  for (const auto& t : types) {
    TEvent ev{{"evt.type", t}};
    bool ok = true;
    for (const auto& l : conj)
      if (l.pred->field == "evt.type" && Evaluate(*l.pred, ev) != l.positive) ok = false;
    if (ok) out.push_back(t);
  }
  return out;
}

std::optional<TestCase> Quiet(const VNode& root, const Conj& conj, const TestCase& alert) {
  // First what a Falco exception would look like: one negated test of the condition made true
  // (the trusted program, the known parent), then one given field changed or removed.
  Builder builder(root, conj, alert.event_type);
  for (const auto& l : conj) {
    if (l.positive || l.pred->field == "evt.type") continue;
    for (const auto& c : builder.Candidates(Group(l.pred->field), {Lit{l.pred, true}})) {
      if (c.empty()) continue;
      TEvent t = alert.fields;
      for (const auto& [k, v] : c) t[k] = v;
      if (!Evaluate(*l.pred, Complete(t, alert.event_type))) continue;
      if (!Evaluate(root, Complete(t, alert.event_type))) return TestCase{alert.event_type, t};
    }
  }
  std::vector<std::string> keys;
  for (const auto& [k, v] : alert.fields) keys.push_back(k);
  for (const auto& k : keys) {
    std::vector<TEvent> tries;
    TEvent removed = alert.fields;
    removed.erase(k);
    TEvent changed = alert.fields;
    auto& v = changed[k];
    if (auto* s = std::get_if<std::string>(&v)) {
      *s = TypeOf(k) == lang::Type::kAddress ? "198.51.100.9" : "zz-other";
    } else if (auto* i = std::get_if<int64_t>(&v)) {
      *i = *i == 0 ? 7777 : 0;
    } else if (auto* b = std::get_if<bool>(&v)) {
      *b = !*b;
    } else if (auto* l = std::get_if<std::vector<std::string>>(&v)) {
      if (TypeOf(k) == lang::Type::kFlags)
        *l = {};
      else
        *l = {"zz-other"};
    }
    tries.push_back(changed);
    if (std::holds_alternative<std::string>(alert.fields.at(k)) &&
        TypeOf(k) == lang::Type::kString) {
      TEvent empty = alert.fields;
      empty[k] = std::string();  // container.id: "" is the host
      tries.push_back(empty);
    }
    tries.push_back(removed);
    for (auto& t : tries) {
      if (t.empty()) continue;
      if (!Evaluate(root, Complete(t, alert.event_type))) return TestCase{alert.event_type, t};
    }
  }
  return std::nullopt;
}

std::string RenderValue(const std::string& field, const TValue& v) {
  if (auto* s = std::get_if<std::string>(&v)) return VglString(*s);
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  const auto& l = std::get<std::vector<std::string>>(v);
  bool flags = TypeOf(field) == lang::Type::kFlags;
  std::string out = "[";
  for (size_t i = 0; i < l.size(); ++i) out += (i ? ", " : "") + (flags ? l[i] : VglString(l[i]));
  return out + "]";
}

}  // namespace

DerivedTests DeriveTests(const VNode& condition, const std::vector<std::string>& event_types) {
  DerivedTests out;
  for (const auto& conj : Dnf(condition, true)) {
    for (const auto& type : TypesFor(conj, event_types)) {
      TEvent ev;
      if (Builder(condition, conj, type).Build(&ev)) {
        out.alert = TestCase{type, ev};
        out.quiet = Quiet(condition, conj, *out.alert);
        return out;
      }
    }
  }
  return out;
}

std::string RenderCase(const TestCase& c) {
  std::string out = c.event_type + " {";
  bool first = true;
  for (const auto& [k, v] : c.fields) {
    out += first ? " " : ", ";
    first = false;
    out += k + ": " + RenderValue(k, v);
  }
  return out + (first ? "}" : " }");
}

}  // namespace vigil::importer::falco
