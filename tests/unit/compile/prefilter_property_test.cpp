// The kernel's argument prefilter (compile/prefilter.h) never changes an alert: random rule sets
// over random open events give exactly the same alerts with the prefilter on (an event the
// kernel's decision drops raises nothing) and off. The kernel's decision is replayed with
// kernel::PrefilterKeeps on the plan's prefilter: the same data Sensors writes to the maps and
// the same steps as bpf/vigil.bpf.c. Plus the derivation's fixed cases and the default library.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../match/match_harness.h"
#include "compile/plan_inputs.h"
#include "compile/prefilter.h"
#include "kernel/prefilter_decision.h"

namespace vigil::testing {
namespace {

using lang::FieldId;

const std::vector<std::string> kComponents = {"etc",    "proc",   "var",  "log",     "tmp",
                                              "shadow", "passwd", "1",    "22",      "mem",
                                              ".ssh",   "id_rsa", "cron", ".bashrc", "a"};

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(int percent) { return static_cast<int>(Pick(100)) < percent; }
  template <class T>
  const T& One(const std::vector<T>& v) {
    return v[Pick(v.size())];
  }

  std::string Path() {
    switch (Pick(12)) {
      case 0:
        return One(kComponents);  // relative, no slash
      case 1:
        return "a/" + One(kComponents);
      case 2:
        return "";
      case 3:
        return "/" + std::string(300, 'x');  // longer than the kernel reads
      case 4:
        return "/etc/./" + One(kComponents);
      default: {
        std::string p;
        for (size_t n = 1 + Pick(4); n > 0; --n) p += "/" + One(kComponents);
        return p;
      }
    }
  }
  std::string Prefix() {
    std::string p = Path();
    return p.substr(0, Pick(p.size() + 1));
  }
  std::string Suffix() {
    std::string p = Path();
    return p.substr(Pick(p.size() + 1));
  }
  static std::string Q(const std::string& s) { return "\"" + s + "\""; }

  std::string Atom(bool macro_allowed = true) {
    size_t k = Pick(26);
    if (!macro_allowed && k == 23) k = 0;
    switch (k) {
      case 0:
        return "file.path == " + Q(Path());
      case 1:
        return "file.path in [" + Q(Path()) + ", " + Q(Path()) + "]";
      case 2:
      case 3:
        return "file.path startswith " + Q(Prefix());
      case 4:
      case 5:
        return "file.path endswith " + Q(Suffix());
      case 6:
        return "file.path contains " + Q(One(kComponents));
      case 7:
        return "file.path matches '" +
               One(std::vector<std::string>{"^/proc/[0-9]+/(mem|maps)$", "^/etc/(shadow|passwd)",
                                            "^/var/lo?g", "shadow$", "^(/tmp|/var)/", "^/a|/etc",
                                            "^/etc/\\.?b", "^/tmp/x*"}) +
               "'";
      case 8:
        return "file.name == " + Q(One(kComponents));
      case 9:
        return "file.name in [" + Q(One(kComponents)) + ", " + Q(One(kComponents)) + "]";
      case 10:
        return "file.name endswith " + Q(Suffix());
      case 11:
        return "file.name startswith \".\"";
      case 12:
        return "open.write";
      case 13:
        return "open.read";
      case 14:
        return "open.create";
      case 15:
        return "open.flags contains O_TRUNC";
      case 16:
        return "open.flags intersects [O_WRONLY, O_APPEND]";
      case 17:
        return "open.flags contains O_RDONLY";
      case 18:
        return "not evt.failed";
      case 19:
        return "proc.name == \"cat\"";
      case 20:
        return "evt.type == \"open\"";
      case 21:
        return "evt.type in [unlink, rename]";
      case 22:
        return "basename(file.path) == " + Q(One(kComponents));
      case 23:
        return "is_interesting";
      case 24:
        return "file.path == " + Q(Path()) + " or file.path startswith " + Q(Prefix());
      default:
        return "open.flags intersects [O_SYNC, O_CREAT]";
    }
  }
  std::string Condition(int depth) {
    if (depth == 0 || Chance(35)) return Atom();
    switch (Pick(5)) {
      case 0:
        return "not (" + Condition(depth - 1) + ")";
      case 1:
      case 2:
        return "(" + Condition(depth - 1) + " and " + Condition(depth - 1) + ")";
      default:
        return "(" + Condition(depth - 1) + " or " + Condition(depth - 1) + ")";
    }
  }

  // A rule set: a macro, 1-5 rules (some on unlink too, some disabled, some with an exception),
  // and sometimes a policy that selects only some of them.
  std::string RuleSet() {
    std::ostringstream out;
    out << "macro is_interesting = " << Atom(false) << "\n";
    const size_t n = 1 + Pick(5);
    std::vector<std::string> selected;
    for (size_t i = 0; i < n; ++i) {
      const std::string name = "r" + std::to_string(i);
      out << "rule " << name << " {\n  desc \"d\"\n  severity low\n  on "
          << (Chance(20) ? "[open, unlink]" : "open") << "\n  when " << Condition(3) << "\n";
      if (Chance(20)) out << "  exception ex: proc.name in [cat, vi]\n";
      if (Chance(10)) out << "  enabled false\n";
      out << "  output \"x\"\n}\n";
      if (Chance(70)) selected.push_back(name);
    }
    if (Chance(40) && !selected.empty()) {
      out << "policy p { scope global rules [";
      for (size_t i = 0; i < selected.size(); ++i) out << (i ? ", " : "") << selected[i];
      out << "] }\n";
    }
    return out.str();
  }

  match::EventRecord Event(kernel::PrefilterArgs* args) {
    match::EventRecord r;
    r.set_type(lang::EventType::kOpen);
    r.set_policies(~uint64_t{0});
    r.SetString(FieldId::kProcName, Chance(30) ? "cat" : "bash");
    r.SetInt(FieldId::kEvtRetval, Chance(20) ? -2 : 3);
    const uint64_t flags = One(std::vector<uint64_t>{0, 01, 02, 01000, 0101, 0102, 02001,
                                                     01 | 01000, 02000000, 04010000, 0200000});
    if (Chance(95)) {
      r.SetUint(FieldId::kOpenFlags, flags);
      args->flags = flags;
    }
    if (Chance(95)) {
      const std::string path = Path();
      r.SetString(FieldId::kFilePath, path);
      args->path = path;
    }
    match::DeriveFields(r);
    return r;
  }

 private:
  std::mt19937 rng_;
};

std::vector<uint32_t> Alerts(const match::RuleSet& rules, const match::EventRecord& r) {
  match::EvalScratch s;
  std::vector<match::RuleMatch> out;
  rules.Evaluate(r, s, out);
  std::vector<uint32_t> ids;
  for (const auto& m : out) ids.push_back(m.rule);
  return ids;
}

kernel::KernelPlan PlanFor(const CompiledSource& c) {
  kernel::KernelPlan plan;
  for (const auto& in : compile::KernelPolicyInputs(*c.program))
    plan.event_types.insert(in.event_types.begin(), in.event_types.end());
  return plan;
}

TEST(PrefilterProperty, RandomRuleSetsRaiseTheSameAlertsWithAndWithout) {
  size_t sets = 0, active = 0, events = 0, dropped = 0, alerts = 0;
  for (uint32_t seed = 1; seed <= 400; ++seed) {
    Gen g(seed);
    const std::string text = g.RuleSet();
    // Through the real front end and compiler; a set the front end refuses (a rule that can
    // never fire, for instance) is skipped, and counted below.
    CompiledSource c;
    c.program->sources.Add("random.vgl", text);
    lang::Analyze(*c.program, c.diags);
    if (c.diags.errors() > 0) continue;
    auto compiled = compile::CompileRules(*c.program, {});
    if (!compiled) continue;
    c.rules = std::move(*compiled);
    ++sets;
    kernel::KernelPlan plan = PlanFor(c);
    compile::AddPrefilters(*c.rules, plan);
    auto it = plan.prefilter.find(VIGIL_EVT_OPEN);
    if (it == plan.prefilter.end()) continue;
    ++active;
    for (int e = 0; e < 300; ++e) {
      kernel::PrefilterArgs args;
      match::EventRecord r = g.Event(&args);
      const auto without = Alerts(*c.rules, r);
      const bool kept = kernel::PrefilterKeeps(it->second, args);
      const auto with = kept ? without : std::vector<uint32_t>{};
      ++events;
      dropped += kept ? 0 : 1;
      alerts += without.size();
      ASSERT_EQ(with, without) << "seed " << seed << ", path "
                               << (args.path ? *args.path : "(none)") << ", flags "
                               << (args.flags ? std::to_string(*args.flags) : "(none)") << "\n"
                               << text;
    }
  }
  // Not vacuous: most sets compile, many get a prefilter, and it drops and keeps events that
  // alert.
  EXPECT_GT(sets, 300u);
  EXPECT_GT(active, sets / 5);
  EXPECT_GT(dropped, events / 10);
  EXPECT_GT(alerts, events / 20);
}

const kernel::Prefilter* OpenPrefilter(const std::string& rules, kernel::KernelPlan* plan) {
  auto c = CompileSource(rules);
  EXPECT_TRUE(c.rules);
  if (!c.rules) return nullptr;
  *plan = PlanFor(c);
  compile::AddPrefilters(*c.rules, *plan);
  auto it = plan->prefilter.find(VIGIL_EVT_OPEN);
  return it == plan->prefilter.end() ? nullptr : &it->second;
}

std::string Rule(const std::string& name, const std::string& when) {
  return "rule " + name + " { desc \"d\" severity low on open when " + when + " output \"x\" }\n";
}

TEST(Prefilter, EveryRuleMustRequireSomething) {
  kernel::KernelPlan plan;
  // One rule without a path or flag requirement turns it off for the type.
  EXPECT_EQ(OpenPrefilter(Rule("a", "file.path == \"/etc/shadow\"") +
                              Rule("b", "file.path contains \"shadow\""),
                          &plan),
            nullptr);
  EXPECT_EQ(OpenPrefilter(Rule("a", "not file.path startswith \"/proc/\""), &plan), nullptr);
  EXPECT_EQ(OpenPrefilter(Rule("a", "proc.name == \"cat\""), &plan), nullptr);
  EXPECT_EQ(OpenPrefilter(Rule("a", "file.path startswith \"/etc\" or proc.name == \"x\""), &plan),
            nullptr);
}

// A sequence's steps on open count like rules: a step without a path requirement turns the
// prefilter off, and a step's path requirement is kept (its events must still arrive).
TEST(Prefilter, SequenceStepsOnOpenAreRequirementsToo) {
  const std::string seq_any =
      "rule seq { desc \"d\" severity low\n"
      "  step opened on open when proc.name == \"cat\"\n"
      "  step ran on exec when proc.name == \"sh\"\n"
      "  within 1m by proc.pid output \"x\" }\n";
  kernel::KernelPlan plan;
  EXPECT_EQ(OpenPrefilter(Rule("a", "file.path == \"/etc/shadow\"") + seq_any, &plan), nullptr);
  const std::string seq_tmp =
      "rule seq { desc \"d\" severity low\n"
      "  step opened on open when file.path startswith \"/tmp/\"\n"
      "  step ran on exec when proc.name == \"sh\"\n"
      "  within 1m by proc.pid output \"x\" }\n";
  const kernel::Prefilter* pf =
      OpenPrefilter(Rule("a", "file.path == \"/etc/shadow\"") + seq_tmp, &plan);
  ASSERT_NE(pf, nullptr);
  EXPECT_EQ(pf->prefix.size(), 1u);
  EXPECT_EQ(pf->exact.size(), 1u);
}

TEST(Prefilter, DerivesPathsAndFlags) {
  kernel::KernelPlan plan;
  const kernel::Prefilter* pf = OpenPrefilter(
      Rule("a", "file.path in [\"/etc/shadow\", \"/etc/gshadow\"] and open.read") +
          Rule("b", "open.write and file.path startswith \"/etc/cron\"") +
          Rule("c", "file.name == \"id_rsa\" or file.path matches '^/proc/[0-9]+/mem$'") +
          Rule("d", "evt.type in [unlink, rename] or open.flags contains O_TRUNC"),
      &plan);
  ASSERT_NE(pf, nullptr);
  EXPECT_EQ(pf->flag_mask, 01u | 02u | 01000u);  // open.write (b) and O_TRUNC (d)
  EXPECT_EQ(pf->exact, (std::set<std::string>{"/etc/shadow", "/etc/gshadow", "id_rsa"}));
  EXPECT_EQ(pf->prefix, (std::set<std::string>{"/proc/"}));
  EXPECT_EQ(pf->suffix, (std::set<std::string>{"/id_rsa"}));
  auto keeps = [&](std::optional<uint64_t> flags, std::optional<std::string> path) {
    return kernel::PrefilterKeeps(*pf, {flags, path});
  };
  EXPECT_FALSE(keeps(0, "/etc/hostname"));
  EXPECT_TRUE(keeps(0, "/etc/shadow"));
  EXPECT_FALSE(keeps(0, "/etc/shadowx"));
  EXPECT_TRUE(keeps(0, "/home/u/.ssh/id_rsa"));
  EXPECT_TRUE(keeps(0, "id_rsa"));
  EXPECT_FALSE(keeps(0, "xid_rsa"));
  EXPECT_TRUE(keeps(0, "/proc/12/mem"));
  EXPECT_TRUE(keeps(01, "/etc/hostname"));             // a write
  EXPECT_TRUE(keeps(std::nullopt, "/etc/hostname"));   // flags unknown
  EXPECT_TRUE(keeps(0, std::nullopt));                 // path unreadable
  EXPECT_TRUE(keeps(0, "/" + std::string(300, 'x')));  // longer than the kernel reads
}

TEST(Prefilter, RegexLiteralPrefix) {
  EXPECT_EQ(compile::RegexLiteralPrefix("^/proc/[0-9]+/mem$"), "/proc/");
  EXPECT_EQ(compile::RegexLiteralPrefix("^/var/lo?g"), "/var/l");
  EXPECT_EQ(compile::RegexLiteralPrefix("^/tmp/x*"), "/tmp/");
  EXPECT_EQ(compile::RegexLiteralPrefix("^/etc/\\.?b"), "/etc/");
  EXPECT_EQ(compile::RegexLiteralPrefix("^/etc/\\.b"), "/etc/.b");
  EXPECT_EQ(compile::RegexLiteralPrefix("^(/tmp|/var)/"), "");
  EXPECT_EQ(compile::RegexLiteralPrefix("^/a|/etc"), "");
  EXPECT_EQ(compile::RegexLiteralPrefix("/etc/shadow"), "");
  EXPECT_EQ(compile::RegexLiteralPrefix("(?i)^/etc"), "");
  EXPECT_EQ(compile::RegexLiteralPrefix("^/a[|]b"), "/a");
}

// The library and the default policy: open is prefiltered, an unwatched read is dropped.
TEST(Prefilter, DefaultPolicyDropsAnUnwatchedRead) {
  namespace fs = std::filesystem;
  const fs::path repo = VIGIL_SOURCE_DIR;
  std::vector<std::string> texts;
  for (const auto& entry : fs::directory_iterator(repo / "rules"))
    if (entry.path().extension() == ".vgl") {
      std::ifstream in(entry.path());
      texts.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  std::ifstream policy(repo / "policies" / "default.vgl");
  texts.emplace_back(std::istreambuf_iterator<char>(policy), std::istreambuf_iterator<char>());
  auto c = CompileFiles(texts);
  ASSERT_TRUE(c.rules);
  kernel::KernelPlan plan = PlanFor(c);
  compile::AddPrefilters(*c.rules, plan);
  ASSERT_EQ(plan.prefilter.count(VIGIL_EVT_OPEN), 1u);
  const kernel::Prefilter& pf = plan.prefilter.at(VIGIL_EVT_OPEN);
  EXPECT_FALSE(kernel::PrefilterKeeps(pf, {0, "/etc/hostname"}));
  EXPECT_FALSE(kernel::PrefilterKeeps(pf, {02000000, "/usr/lib/x86_64-linux-gnu/libc.so.6"}));
  EXPECT_TRUE(kernel::PrefilterKeeps(pf, {0, "/etc/shadow"}));
  EXPECT_TRUE(kernel::PrefilterKeeps(pf, {0, "/proc/1/environ"}));
  EXPECT_TRUE(kernel::PrefilterKeeps(pf, {0, "/root/.ssh/id_rsa"}));
  EXPECT_TRUE(kernel::PrefilterKeeps(pf, {01 | 0100, "/etc/hostname"}));  // any write
  EXPECT_EQ(kernel::PrefilterDoesNotFit(pf), std::nullopt);
}

}  // namespace
}  // namespace vigil::testing

namespace vigil::testing {
namespace {

// Whether `path` starts with one of the prefix entries or is one of the exact paths: what the
// pf_prefix lookup answers, without the trie gate.
bool TrieMatches(const kernel::Prefilter& pf, const std::string& path) {
  for (const auto& e : pf.exact)
    if (path == e) return true;
  for (const auto& p : pf.prefix)
    if (path.compare(0, p.size(), p) == 0) return true;
  return false;
}

// The trie gate may skip the pf_prefix lookup only for a path no entry can match: random entry
// sets (4 to 20 bytes, heads that share their first bytes) and paths made from them (the entry
// itself, longer, cut short, one byte changed) never see the gate closed on a match, and the
// gate does close for most unrelated paths (it would be useless otherwise).
TEST(PrefilterGate, ClosesOnlyOnPathsNoEntryMatches) {
  std::mt19937 rng(20261202);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  const std::vector<std::string> heads = {"/etc/", "/proc/", "/dev/sd", ".bash", "/e", "/"};
  auto text = [&](size_t min_len) {
    std::string s = heads[pick(heads.size())];
    while (s.size() < min_len || pick(3) != 0) s.push_back(static_cast<char>('a' + pick(4)));
    return s;
  };
  size_t closed = 0, unrelated = 0;
  for (int round = 0; round < 300; ++round) {
    kernel::Prefilter pf;
    for (size_t n = 1 + pick(6); n > 0; --n) pf.exact.insert(text(4));
    for (size_t n = pick(4); n > 0; --n) pf.prefix.insert(text(4));
    const vigil_pf_config cfg = kernel::PrefilterConfig(pf, 1);
    ASSERT_EQ(cfg.gate, 1u);
    std::vector<std::string> paths;
    for (const auto& set : {pf.exact, pf.prefix})
      for (const auto& e : set) {
        paths.push_back(e);
        paths.push_back(e + "/x");
        paths.push_back(e.substr(0, e.size() - 1));
        std::string changed = e;
        changed[pick(changed.size())] ^= 1;
        paths.push_back(changed);
      }
    for (int i = 0; i < 20; ++i) paths.push_back(text(1));
    for (const auto& path : paths) {
      const bool opens = kernel::PrefilterGateOpens(cfg, path);
      if (TrieMatches(pf, path)) {
        EXPECT_TRUE(opens) << path;
      }
    }
    for (const char* other : {"/usr/lib/x86_64-linux-gnu/libc.so.6", "/home/user/notes.txt",
                              "/var/log/syslog", "/tmp/build/a.o"}) {
      ++unrelated;
      if (!kernel::PrefilterGateOpens(cfg, other)) ++closed;
    }
  }
  EXPECT_GT(closed, unrelated * 9 / 10);
}

// An entry shorter than 4 bytes turns the gate off: every path goes to the lookup.
TEST(PrefilterGate, AShortEntryOpensItForEveryPath) {
  kernel::Prefilter pf;
  pf.exact = {"/etc/shadow"};
  pf.prefix = {"/t"};
  const vigil_pf_config cfg = kernel::PrefilterConfig(pf, 1);
  EXPECT_EQ(cfg.gate, 0u);
  EXPECT_TRUE(kernel::PrefilterGateOpens(cfg, "/usr/bin/ls"));
  pf.prefix = {"/tmp"};
  const vigil_pf_config gated = kernel::PrefilterConfig(pf, 1);
  EXPECT_EQ(gated.gate, 1u);
  EXPECT_TRUE(kernel::PrefilterGateOpens(gated, "/tmp/x"));
  EXPECT_TRUE(kernel::PrefilterGateOpens(gated, "/etc/shadow"));
  EXPECT_FALSE(kernel::PrefilterGateOpens(gated, "/etc/hostname"));
}

}  // namespace
}  // namespace vigil::testing
