#include "compile/prefilter.h"

#include <bit>
#include <cctype>
#include <optional>
#include <set>

#include "bpf/events.h"
#include "compile/rule_compiler.h"
#include "kernel/prefilter_decision.h"
#include "lang/events.h"

namespace vigil::compile {
namespace {

using lang::FieldId;
using match::CheckHint;
using match::MatchNode;
using match::NodeKind;

// open(2) flags (asm-generic/fcntl.h), as engine/match/derive.cpp derives open.* from them.
constexpr uint64_t kWrOnly = 01, kRdWr = 02, kCreat = 0100, kTrunc = 01000, kTmpFile = 020000000;

// Most path strings a type may hold in the kernel, per version (VIGIL_PF_ENTRIES is shared by
// the live versions).
constexpr size_t kMaxPathEntries = VIGIL_PF_ENTRIES / VIGIL_VERSION_SLOTS;

struct PathSet {
  std::set<std::string> exact, prefix, suffix;
  size_t size() const { return exact.size() + prefix.size() + suffix.size(); }
  void Add(const PathSet& o) {
    exact.insert(o.exact.begin(), o.exact.end());
    prefix.insert(o.prefix.begin(), o.prefix.end());
    suffix.insert(o.suffix.begin(), o.suffix.end());
  }
};

// What a condition requires, as over-approximations the kernel can test: when the condition
// holds, (flags & *mask) != 0, and the path is in *path. Either may be unknown.
struct Req {
  std::optional<uint64_t> mask;
  std::optional<PathSet> path;
};

// Which fields of a type the kernel reads at entry.
struct TypeArgs {
  bool path = false;   // str0 is the path file.path reads
  bool flags = false;  // open flags
};

TypeArgs ArgsOf(uint16_t type) {
  if (type == VIGIL_EVT_OPEN) return {true, true};
  return {};
}

Req FromHint(const CheckHint& h, TypeArgs args) {
  Req r;
  using K = CheckHint::Kind;
  if (args.path && h.field == FieldId::kFilePath) {
    PathSet p;
    switch (h.kind) {
      case K::kEquals:
        p.exact.insert(h.strings.begin(), h.strings.end());
        break;
      case K::kPrefix:
        p.prefix.insert(h.strings.begin(), h.strings.end());
        break;
      case K::kSuffix:
        for (const auto& s : h.strings) {
          if (s.empty()) return r;  // always true
          p.suffix.insert(s);
        }
        break;
      case K::kRegex: {
        std::string lit = RegexLiteralPrefix(h.pattern);
        if (lit.empty()) return r;
        p.prefix.insert(lit);
        break;
      }
      default:
        return r;
    }
    r.path = std::move(p);
  } else if (args.path && h.field == FieldId::kFileName) {
    // file.name is the text after the path's last '/' (the whole path when it has none).
    PathSet p;
    switch (h.kind) {
      case K::kEquals:
        for (const auto& s : h.strings) {
          p.exact.insert(s);
          p.suffix.insert("/" + s);
        }
        break;
      case K::kSuffix:
        for (const auto& s : h.strings) {
          if (s.empty()) return r;
          p.suffix.insert(s);
        }
        break;
      default:
        return r;
    }
    r.path = std::move(p);
  } else if (args.flags && h.kind == K::kFlags && h.field == FieldId::kOpenFlags) {
    // A test (flags & mask) == bits with bits != 0 implies (flags & bits) != 0.
    if (h.any) {
      uint64_t m = 0;
      for (const auto& [mask, bits] : h.flag_tests) {
        if (bits == 0) return r;
        m |= bits;
      }
      if (m) r.mask = m;
    } else {
      for (const auto& [mask, bits] : h.flag_tests)
        if (bits != 0 && (!r.mask || std::popcount(bits) < std::popcount(*r.mask))) r.mask = bits;
    }
  } else if (args.flags && h.kind == K::kBool && h.expected) {
    if (h.field == FieldId::kOpenWrite) r.mask = kWrOnly | kRdWr | kTrunc;
    if (h.field == FieldId::kOpenCreate) r.mask = kCreat | kTmpFile;
  }
  return r;
}

Req Derive(const MatchNode& n, TypeArgs args) {
  switch (n.kind) {
    case NodeKind::kTrue:
    case NodeKind::kNot:  // a negation requires nothing positive
      return {};
    case NodeKind::kFalse:
      return {uint64_t{0}, PathSet{}};  // never holds: requires the impossible
    case NodeKind::kCheck:
      return FromHint(n.check->Hint(), args);
    case NodeKind::kAnd: {
      // Each operand's requirement holds; keep the most selective of each kind.
      Req r;
      for (const auto& c : n.children) {
        Req x = Derive(c, args);
        if (x.mask && (!r.mask || std::popcount(*x.mask) < std::popcount(*r.mask))) r.mask = x.mask;
        if (x.path && (!r.path || x.path->size() < r.path->size())) r.path = std::move(x.path);
      }
      return r;
    }
    case NodeKind::kOr: {
      // One operand holds: a requirement every operand has, united.
      Req r{uint64_t{0}, PathSet{}};
      for (const auto& c : n.children) {
        Req x = Derive(c, args);
        if (r.mask) r.mask = x.mask ? std::optional<uint64_t>(*r.mask | *x.mask) : std::nullopt;
        if (r.path) {
          if (x.path)
            r.path->Add(*x.path);
          else
            r.path.reset();
        }
      }
      return r;
    }
  }
  return {};
}

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%#llo", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::string RegexLiteralPrefix(const std::string& p) {
  if (p.size() < 2 || p[0] != '^') return "";
  // A top-level alternation would let a match start otherwise.
  int depth = 0;
  bool in_class = false;
  for (size_t i = 1; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') in_class = true;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == '|' && depth == 0) return "";
  }
  std::string lit;
  size_t i = 1;
  while (i < p.size()) {
    const char c = p[i];
    if (std::isalnum(static_cast<unsigned char>(c)) ||
        std::string_view("/_-:,=@%~#!<>\"' ").find(c) != std::string_view::npos) {
      lit.push_back(c);
      ++i;
    } else if (c == '\\' && i + 1 < p.size() &&
               !std::isalnum(static_cast<unsigned char>(p[i + 1]))) {
      lit.push_back(p[i + 1]);  // an escaped punctuation character stands for itself
      i += 2;
    } else {
      break;
    }
  }
  // A quantifier that allows zero repetitions makes the last literal optional.
  if (i < p.size() && (p[i] == '?' || p[i] == '*' || p[i] == '{') && !lit.empty()) lit.pop_back();
  return lit;
}

std::vector<PrefilterOutcome> AddPrefilters(const match::RuleSet& rules, kernel::KernelPlan& plan) {
  std::vector<PrefilterOutcome> out;
  for (uint16_t type : plan.event_types) {
    const TypeArgs args = ArgsOf(type);
    if (!args.path && !args.flags) continue;
    PrefilterOutcome o;
    o.type = type;
    kernel::Prefilter pf;
    PathSet paths;
    const auto lt = static_cast<lang::EventType>(type);
    for (const auto& rule : rules.rules()) {
      if (!rule.enabled || rule.policies == 0) continue;
      // What must see this type's events: the rule itself, or each of its correlation steps
      // on the type (a sequence's steps have their own conditions and event types).
      std::vector<std::pair<std::string, const match::MatchNode*>> needs;
      if (!rule.correlation.steps.empty()) {
        for (const auto& step : rule.correlation.steps)
          if ((step.events & lang::Bit(lt)) && step.by_type[type])
            needs.emplace_back(rule.name + " step " + step.name, &step.condition);
      } else if (rule.events & lang::Bit(lt)) {
        if (!rule.by_type[type]) {
          o.rules.push_back(rule.name + ": never matches this type");
          continue;
        }
        needs.emplace_back(rule.name, &rule.condition);
      }
      for (const auto& [who, condition] : needs) {
        Req req = Derive(SpecializeCondition(*condition, lt), args);
        if (req.mask) {
          pf.flag_mask |= *req.mask;
          o.rules.push_back(who + ": open flags & " + Hex(*req.mask));
        } else if (req.path) {
          paths.Add(*req.path);
          o.rules.push_back(who + ": path (" + std::to_string(req.path->size()) +
                            " exact/prefix/suffix strings)");
        } else if (o.why_not.empty()) {
          o.why_not = "rule " + who +
                      " requires neither a path (==, in, startswith, endswith, file.name, a "
                      "regex anchored with a literal start) nor open flags";
        }
      }
    }
    pf.exact = std::move(paths.exact);
    pf.prefix = std::move(paths.prefix);
    pf.suffix = std::move(paths.suffix);
    if (o.why_not.empty()) {
      if (auto why = kernel::PrefilterDoesNotFit(pf))
        o.why_not = *why;
      else if (pf.exact.size() + pf.prefix.size() > kMaxPathEntries ||
               pf.suffix.size() > kMaxPathEntries)
        o.why_not = "more than " + std::to_string(kMaxPathEntries) + " path strings";
    }
    o.active = o.why_not.empty();
    if (o.active) plan.prefilter[type] = std::move(pf);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace vigil::compile
