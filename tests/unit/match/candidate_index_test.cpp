// The candidate index (match/candidate_index.h) skips rules without evaluating them, so it
// must never skip one that would match. Differential test: the rule library of this checkout
// plus generated rules (exact, prefix, suffix, glob, substring, negated, nested and/or, steps),
// over generated events whose values are drawn from what the rules require, through
// RuleSet::Evaluate against a plain evaluation of every indexed matcher; the RuleMatch lists
// must be identical, event by event. Plus the requirement derivation and the lookup tables.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cstdio>
#include <random>
#include <set>
#include <sstream>

#include "match/candidate_index.h"
#include "match/string_hash.h"
#include "match_harness.h"

namespace vigil::testing {
namespace {

using lang::EventType;
using match::Requirement;

// ---- requirement derivation ----------------------------------------------------------------

std::optional<Requirement> RuleRequirement(const std::string& on, const std::string& when,
                                           EventType type) {
  auto c = CompileRule(on, when);
  auto idx = c.rules->FindRule("r");
  const auto& m = c.rules->rules()[*idx].by_type[static_cast<size_t>(type)];
  EXPECT_TRUE(m) << when;
  if (!m) return std::nullopt;
  return match::RequiredValues(*m);
}

std::string Describe(const std::optional<Requirement>& r) {
  return r ? r->Describe() : "none";
}

TEST(CandidateIndex, RequirementOfEachShape) {
  EXPECT_EQ(Describe(RuleRequirement("exec", "proc.name in [a, b, c]", EventType::kExec)),
            "proc.name == one of 3");
  EXPECT_EQ(Describe(RuleRequirement("open", "file.path startswith \"/etc/\" and open.write",
                                     EventType::kOpen)),
            "file.path startswith a value");
  // An `and` keeps its cheapest operand's: exact values before a short prefix.
  EXPECT_EQ(Describe(RuleRequirement("open", "file.path startswith \"/\" and proc.name == \"cat\"",
                                     EventType::kOpen)),
            "proc.name == a value");
  // An `or` unites its operands' when each has one, whatever their fields and kinds.
  EXPECT_EQ(Describe(RuleRequirement("open", "file.path endswith \".so\" or proc.name in [x, y]",
                                     EventType::kOpen)),
            "file.path endswith a value or proc.name == one of 2");
  // ... and has none when one operand has none.
  EXPECT_EQ(Describe(RuleRequirement("open", "file.path endswith \".so\" or open.write",
                                     EventType::kOpen)),
            "none");
  // Negations, substrings, globs with wildcards inside, transformers and numbers require
  // nothing the index can use.
  EXPECT_EQ(Describe(RuleRequirement("exec", "proc.name not in [a, b]", EventType::kExec)), "none");
  EXPECT_EQ(Describe(RuleRequirement("exec", "proc.name contains \"x\"", EventType::kExec)),
            "none");
  EXPECT_EQ(
      Describe(RuleRequirement("open", "file.path glob \"/home/*/.ssh/*\"", EventType::kOpen)),
      "none");
  EXPECT_EQ(Describe(RuleRequirement("exec", "lower(proc.name) == \"bash\"", EventType::kExec)),
            "none");
  EXPECT_EQ(Describe(RuleRequirement("exec", "proc.uid == 0", EventType::kExec)), "none");
  // A literal glob is an exact test, a prefix glob a prefix test.
  EXPECT_EQ(Describe(RuleRequirement("open", "file.path glob \"/etc/*\"", EventType::kOpen)),
            "file.path startswith a value");
}

TEST(CandidateIndex, FlatStringMapFindsWhatWasInserted) {
  match::FlatStringMap map;
  std::vector<std::string> keys = {"", "a", "ab", std::string("a\0", 2), "/etc/passwd"};
  for (int i = 0; i < 500; ++i) keys.push_back("/proc/" + std::to_string(i) + "/stat");
  for (size_t i = 0; i < keys.size(); ++i)
    EXPECT_EQ(map.Insert(keys[i], static_cast<uint32_t>(i)), i);
  EXPECT_EQ(map.Insert("a", 99), 1u);  // already there: keeps its value
  EXPECT_EQ(map.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(map.Find(keys[i]), i) << keys[i];
  EXPECT_EQ(map.Find("b"), match::FlatStringMap::kAbsent);
  EXPECT_EQ(map.Find(std::string("a\0\0", 3)), match::FlatStringMap::kAbsent);
  EXPECT_EQ(map.Find("/proc/500/stat"), match::FlatStringMap::kAbsent);
  EXPECT_EQ(match::FlatStringMap().Find(""), match::FlatStringMap::kAbsent);
}

TEST(CandidateIndex, PostingTrieVisitsEveryAffix) {
  match::PostingTrie prefixes(false), suffixes(true);
  prefixes.At("") = 0;
  prefixes.At("/etc/") = 1;
  prefixes.At("/etc/pass") = 2;
  prefixes.At("/tmp/") = 3;
  suffixes.At(".so") = 4;
  suffixes.At("libc.so") = 5;
  auto collect = [](const match::PostingTrie& t, std::string_view text) {
    std::vector<uint32_t> out;
    t.ForEachMatch(text, [&](uint32_t p) { out.push_back(p); });
    return out;
  };
  EXPECT_EQ(collect(prefixes, "/etc/passwd"), (std::vector<uint32_t>{0, 1, 2}));
  EXPECT_EQ(collect(prefixes, "/etc/"), (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(collect(prefixes, "/et"), (std::vector<uint32_t>{0}));
  EXPECT_EQ(collect(prefixes, ""), (std::vector<uint32_t>{0}));
  EXPECT_EQ(collect(suffixes, "/usr/lib/libc.so"), (std::vector<uint32_t>{4, 5}));
  EXPECT_EQ(collect(suffixes, "/usr/lib/libm.so"), (std::vector<uint32_t>{4}));
  EXPECT_EQ(collect(suffixes, "so"), (std::vector<uint32_t>{}));
}

// ---- differential: indexed against plain evaluation ----------------------------------------

struct Pools {
  std::vector<std::string> names = {"bash", "sh",   "curl", "python3", "nginx", "cat",
                                    "sshd", "sudo", "Bash", "",        "node",  "x"};
  std::vector<std::string> paths = {
      "/etc/passwd",     "/etc/shadow", "/tmp/x", "/tmp/", "/proc/1/stat",   "/usr/lib/libc.so.6",
      "/home/a/.ssh/id", "/etc/",       "/",      "",      "/var/log/a.log", "relative.so.6"};
  std::vector<std::string> prefixes = {"/etc/",     "/tmp/",       "/",  "/proc/",
                                       "/usr/lib/", "/etc/passwd", "/et"};
  std::vector<std::string> suffixes = {".so.6", "id", "passwd", "/", "d", ".log"};
};

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  bool Chance(int percent) { return Pick(100) < static_cast<size_t>(percent); }
  template <typename T>
  const T& Of(const std::vector<T>& v) {
    return v[Pick(v.size())];
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

std::string Quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string ListOf(Gen& g, const std::vector<std::string>& pool) {
  std::string out = "[";
  size_t n = 1 + g.Pick(4);
  for (size_t i = 0; i < n; ++i) out += (i ? ", " : "") + Quoted(g.Of(pool));
  return out + "]";
}

// One test on a field an event of `type` carries.
std::string Atom(Gen& g, const Pools& p, bool open) {
  std::string field = open && g.Chance(60) ? (g.Chance(80) ? "file.path" : "file.name")
                      : g.Chance(70)       ? "proc.name"
                                           : (g.Chance(50) ? "proc.exe" : "proc.parent.name");
  const auto& values = field == "file.path" || field == "proc.exe" ? p.paths : p.names;
  switch (g.Pick(12)) {
    case 0:
    case 1:
      return field + " == " + Quoted(g.Of(values));
    case 2:
    case 3:
      return field + " in " + ListOf(g, values);
    case 4:
      return field + " startswith " + Quoted(g.Of(p.prefixes));
    case 5:
      return field + " endswith " + Quoted(g.Of(p.suffixes));
    case 6:
      return field + " startswith " + ListOf(g, p.prefixes);
    case 7:
      return field + " contains " + Quoted(g.Of(p.suffixes));
    case 8:
      return field + " glob " + Quoted(g.Of(p.prefixes) + "*");
    case 9:
      return field + " not in " + ListOf(g, values);
    case 10:
      return open && g.Chance(50) ? "open.write" : "not evt.failed";
    default:
      return g.Chance(50) ? "proc.uid == 0" : "proc.aname[1] in " + ListOf(g, p.names);
  }
}

std::string Condition(Gen& g, const Pools& p, bool open, int depth) {
  if (depth == 0 || g.Chance(30)) return Atom(g, p, open);
  size_t n = 2 + g.Pick(3);
  const char* op = g.Chance(55) ? " and " : " or ";
  std::string out = g.Chance(15) ? "not (" : "(";
  for (size_t i = 0; i < n; ++i) out += (i ? op : "") + Condition(g, p, open, depth - 1);
  return out + ")";
}

std::string GeneratedRules(Gen& g, const Pools& p, size_t count) {
  std::ostringstream out;
  std::vector<std::string> picked;
  for (size_t i = 0; i < count; ++i) {
    const std::string name = "gen_" + std::to_string(i);
    if (g.Chance(40)) picked.push_back(name);
    out << "rule " << name << " {\n  desc \"d\"\n  severity low\n  tags [gen_"
        << (g.Chance(70) ? "a" : "b") << "]\n";
    if (i % 10 == 9) {
      // A sequence: the index lists a rule's steps as entries of their own.
      out << "  step one on open when " << Condition(g, p, true, 2) << "\n"
          << "  step two on exec when " << Condition(g, p, false, 2) << "\n"
          << "  within 1m by proc.pid\n";
    } else {
      // open (twice as often: most events are opens), exec, or both (fields both carry).
      const size_t kind = g.Pick(4);
      out << "  on "
          << (kind == 1   ? "exec"
              : kind == 2 ? "[open, exec]"
                          : "open")
          << "\n  when " << Condition(g, p, kind == 0 || kind == 3, 3) << "\n";
    }
    out << "  output \"x\"\n}\n";
  }
  out << "policy gen_all {\n  desc \"d\"\n  scope global\n  rules [tag:gen_a]\n}\n";
  out << "policy gen_some {\n  desc \"d\"\n  scope global\n  rules [tag:gen_b";
  for (const auto& n : picked) out << ", " << n;
  out << "]\n}\n";
  return out.str();
}

// Every indexed matcher, in index order, without the candidate index.
std::vector<match::RuleMatch> PlainEvaluate(const match::RuleSet& rules,
                                            const match::EventRecord& r) {
  std::vector<match::RuleMatch> out;
  match::EvalScratch s;
  const size_t t = static_cast<size_t>(r.type());
  for (uint32_t i = 0; i < rules.rules().size(); ++i) {
    const auto& rule = rules.rules()[i];
    if (!rule.enabled || rule.policies == 0) continue;
    const uint64_t p = rule.policies & r.policies();
    if (rule.by_type[t] && p != 0 && rule.by_type[t]->Eval(r, s)) out.push_back({i, p, 0, -1});
    for (size_t k = 0; k < rule.correlation.steps.size(); ++k) {
      const auto& m = rule.correlation.steps[k].by_type[t];
      if (m && p != 0 && m->Eval(r, s)) out.push_back({i, p, static_cast<uint16_t>(k), -1});
    }
  }
  return out;
}

// Values the rules' requirements name, per field (so events reach the index's postings).
struct Harvest {
  std::map<lang::FieldId, std::vector<std::string>> exact, prefix, suffix;
};

Harvest HarvestRequirements(const match::RuleSet& rules) {
  Harvest h;
  auto add = [&](const match::Matcher* m) {
    if (!m) return;
    auto req = match::RequiredValues(*m);
    if (!req) return;
    for (const auto& a : req->alternatives) {
      auto& bucket = a.kind == Requirement::Kind::kEquals   ? h.exact
                     : a.kind == Requirement::Kind::kPrefix ? h.prefix
                                                            : h.suffix;
      bucket[a.field].push_back(a.value);
    }
  };
  for (const auto& rule : rules.rules())
    for (size_t t = 0; t < match::kEventTypes; ++t) {
      add(rule.by_type[t].get());
      for (const auto& st : rule.correlation.steps) add(st.by_type[t].get());
    }
  return h;
}

std::string StringValue(Gen& g, const Pools& p, const Harvest& h, lang::FieldId f) {
  auto from = [&](const std::map<lang::FieldId, std::vector<std::string>>& m) -> const auto* {
    auto it = m.find(f);
    return it == m.end() || it->second.empty() ? nullptr : &it->second;
  };
  const size_t roll = g.Pick(100);
  if (roll < 35)
    if (auto* v = from(h.exact)) return g.Of(*v);
  if (roll < 55)
    if (auto* v = from(h.prefix)) return g.Of(*v) + (g.Chance(50) ? "" : g.Of(p.paths));
  if (roll < 75)
    if (auto* v = from(h.suffix)) return (g.Chance(50) ? "" : g.Of(p.paths)) + g.Of(*v);
  return g.Chance(50) ? g.Of(p.paths) : g.Of(p.names);
}

match::EventRecord RandomEvent(Gen& g, const Pools& p, const Harvest& h,
                               const std::vector<EventType>& types) {
  match::EventRecord r;
  r.set_type(g.Of(types));
  std::set<lang::FieldId> strings = {F("proc.name"), F("proc.exe"),    F("proc.parent.name"),
                                     F("file.path"), F("file.name"),   F("proc.cmdline"),
                                     F("user.name"), F("container.id")};
  for (const auto* m : {&h.exact, &h.prefix, &h.suffix})
    for (const auto& [f, values] : *m) strings.insert(f);
  for (lang::FieldId f : strings)
    if (g.Chance(85)) r.SetString(f, StringValue(g, p, h, f));
  for (const char* f : {"open.write", "open.read", "evt.failed"})
    if (g.Chance(90)) r.SetBool(F(f), g.Chance(50));
  if (g.Chance(90)) r.SetUint(F("proc.uid"), g.Chance(50) ? 0 : 1000);
  if (g.Chance(70)) {
    r.ClearList(F("proc.ancestors.name"));
    for (size_t i = 0, n = g.Pick(4); i < n; ++i)
      r.AppendToList(F("proc.ancestors.name"), g.Of(p.names));
  }
  // Every policy, or a random subset (the index must respect the bitmap too).
  r.set_policies(g.Chance(50) ? ~uint64_t{0} : g.rng()());
  return r;
}

std::string Show(const std::vector<match::RuleMatch>& v, const match::RuleSet& rules) {
  std::string out;
  for (const auto& m : v) out += rules.rules()[m.rule].name + "/" + std::to_string(m.step) + " ";
  return out.empty() ? "(none)" : out;
}

TEST(CandidateIndex, SameMatchesAsEvaluatingEveryRule) {
  const std::string src = VIGIL_SOURCE_DIR;
  const Pools pools;
  size_t compared = 0, matched = 0, keyed = 0, indexed = 0, candidates = 0;
  for (uint64_t seed : {1u, 2u, 3u}) {
    Gen g(seed * 7919);
    auto program = std::make_unique<lang::Program>();
    lang::LoadSources({src + "/rules", src + "/policies"}, *program);
    program->sources.Add("generated.vgl", GeneratedRules(g, pools, 200));
    lang::Diagnostics diags;
    lang::Analyze(*program, diags);
    for (const auto& d : diags.all())
      ASSERT_NE(d.level, lang::Level::kError) << d.loc.line << ": " << d.message;
    auto compiled = compile::CompileRules(*program, {});
    ASSERT_TRUE(compiled.ok());
    const match::RuleSet& rules = **compiled;

    std::vector<EventType> types;
    for (size_t t = 0; t < match::kEventTypes; ++t)
      if (rules.IndexedRules(static_cast<EventType>(t))) {
        types.push_back(static_cast<EventType>(t));
        keyed += rules.KeyedRules(static_cast<EventType>(t));
      }
    // The same index over the same matchers, to count what it lets through.
    std::array<std::vector<const match::Matcher*>, match::kEventTypes> matchers;
    for (const auto& rule : rules.rules()) {
      if (!rule.enabled || rule.policies == 0) continue;
      for (size_t t = 0; t < match::kEventTypes; ++t) {
        if (rule.by_type[t]) matchers[t].push_back(rule.by_type[t].get());
        for (const auto& st : rule.correlation.steps)
          if (st.by_type[t]) matchers[t].push_back(st.by_type[t].get());
      }
    }
    std::vector<match::CandidateIndex> index;
    for (const auto& m : matchers) index.emplace_back(m);
    const Harvest harvest = HarvestRequirements(rules);
    match::EvalScratch scratch;  // reused, as the agent reuses it
    std::vector<match::RuleMatch> got;
    for (int i = 0; i < 20000; ++i) {
      const match::EventRecord r = RandomEvent(g, pools, harvest, types);
      got.clear();
      rules.Evaluate(r, scratch, got);
      const auto want = PlainEvaluate(rules, r);
      ++compared;
      matched += want.size();
      const auto& ci = index[static_cast<size_t>(r.type())];
      std::vector<uint64_t> bits(ci.words());
      ci.Mark(r, bits.data());
      for (uint64_t w : bits) candidates += static_cast<size_t>(std::popcount(w));
      indexed += rules.IndexedRules(r.type());
      ASSERT_EQ(got.size(), want.size())
          << "seed " << seed << " event " << i << " (" << lang::EventTypeName(r.type())
          << "): indexed " << Show(got, rules) << " plain " << Show(want, rules);
      for (size_t k = 0; k < got.size(); ++k) {
        ASSERT_EQ(got[k].rule, want[k].rule) << "seed " << seed << " event " << i;
        ASSERT_EQ(got[k].step, want[k].step);
        ASSERT_EQ(got[k].policies, want[k].policies);
        ASSERT_EQ(got[k].firing, want[k].firing);
      }
    }
  }
  // The comparison means something: many matches, many keyed rules, and the index lets
  // through well under all of them.
  EXPECT_GT(matched, compared / 2) << matched << " matches over " << compared << " events";
  EXPECT_GT(keyed, 300u);
  EXPECT_LT(candidates * 4, indexed * 3) << candidates << " candidates of " << indexed;
  std::printf("%zu events, %zu matches, %zu of %zu indexed matchers were candidates\n", compared,
              matched, candidates, indexed);
}

}  // namespace
}  // namespace vigil::testing
