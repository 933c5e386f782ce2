// The rule index and compiler structure: per-event-type index, policy bitmaps, every matching
// rule reported (no first-match-wins), folding and merging, plus glob, trie, output templates,
// test-case records and the event JSON round trip.
#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "lang/values.h"
#include "match/field_text.h"
#include "match/string_trie.h"
#include "match/test_event.h"
#include "match_harness.h"
#include "output/alert.h"
#include "output/alert_id.h"
#include "output/record_json.h"

namespace vigil::testing {
namespace {

using lang::EventType;

const char* kTwoPolicies = R"(
rule a { desc "a" severity low on open when file.path startswith "/etc/" output "a {file.path}" }
rule b { desc "b" severity high on [open, exec] when proc.name == "cat" output "b" }
rule c { desc "c" severity low on exec when exec.filename == "/bin/sh" output "c" }
rule off { desc "off" severity low on open when file.path startswith "/" output "off" enabled false }
policy p0 { scope global rules [a, b] }
policy p1 { scope container rules [b, c, off] }
)";

std::vector<std::string> Fired(const CompiledSource& c, match::EventRecord r) {
  match::DeriveFields(r);
  match::EvalScratch s;
  std::vector<match::RuleMatch> out;
  c.rules->Evaluate(r, s, out);
  std::vector<std::string> names;
  for (const auto& m : out)
    names.push_back(c.rules->rules()[m.rule].name + "/" + std::to_string(m.policies));
  return names;
}

TEST(RuleIndex, EveryMatchingRuleReportsInDeclarationOrder) {
  auto c = CompileSource(kTwoPolicies);
  auto r = Event(EventType::kOpen);
  r.SetString(F("file.path"), "/etc/passwd");
  r.SetString(F("proc.name"), "cat");
  EXPECT_EQ(Fired(c, r), (std::vector<std::string>{"a/1", "b/3"}));
}

TEST(RuleIndex, PolicyBitmapRestrictsRules) {
  auto c = CompileSource(kTwoPolicies);
  auto r = Event(EventType::kOpen);
  r.SetString(F("file.path"), "/etc/passwd");
  r.SetString(F("proc.name"), "cat");
  r.set_policies(2);  // only p1
  EXPECT_EQ(Fired(c, r), (std::vector<std::string>{"b/2"}));
  r.set_policies(0);
  EXPECT_TRUE(Fired(c, r).empty());
}

TEST(RuleIndex, EventMeetsOnlyRulesOfItsType) {
  auto c = CompileSource(kTwoPolicies);
  EXPECT_EQ(c.rules->IndexedRules(EventType::kOpen), 2u);  // a, b (off is disabled)
  EXPECT_EQ(c.rules->IndexedRules(EventType::kExec), 2u);  // b, c
  EXPECT_EQ(c.rules->IndexedRules(EventType::kConnect), 0u);
}

TEST(RuleIndex, DisabledRuleIsCompiledForTestsButNotIndexed) {
  auto c = CompileSource(kTwoPolicies);
  auto idx = c.rules->FindRule("off");
  ASSERT_TRUE(idx.has_value());
  auto r = Event(EventType::kOpen);
  r.SetString(F("file.path"), "/x");
  match::EvalScratch s;
  EXPECT_TRUE(c.rules->EvaluateRule(*idx, r, s));
  EXPECT_TRUE(Fired(c, r).empty());
}

TEST(Compiler, FieldAbsentFromTypeFoldsRuleOutOfThatType) {
  auto c = CompileRule("[open, exec]", "exec.filename endswith \"/nc\"");
  const auto& rule = c.rules->rules()[*c.rules->FindRule("r")];
  EXPECT_TRUE(rule.by_type[static_cast<size_t>(EventType::kExec)]);
  EXPECT_FALSE(rule.by_type[static_cast<size_t>(EventType::kOpen)]);
}

TEST(Compiler, NegatedAbsentFieldFoldsToTrue) {
  auto c = CompileRule("[open, exec]", "not exec.filename endswith \"/nc\"");
  const auto& rule = c.rules->rules()[*c.rules->FindRule("r")];
  const auto& open = rule.by_type[static_cast<size_t>(EventType::kOpen)];
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->AlwaysTrue());
}

TEST(Compiler, AlternativesMergeIntoTrieAndHashSet) {
  auto c = CompileRule("open",
                       "file.path startswith \"/etc/\" or file.path startswith \"/root/\" or "
                       "file.path == \"/x\" or file.path == \"/y\" or file.path glob \"/boot/*\"");
  std::string plan = match::DescribeTree(c.rules->rules()[0].condition, 0);
  EXPECT_NE(plan.find("startswith one of trie(3)"), std::string::npos) << plan;
  EXPECT_NE(plan.find("in hash-set(2)"), std::string::npos) << plan;
  auto r = Event(EventType::kOpen);
  for (const char* p : {"/etc/a", "/root/b", "/x", "/boot/vmlinuz"}) {
    r.SetString(F("file.path"), p);
    EXPECT_TRUE(Fires(c, r)) << p;
  }
  for (const char* p : {"/etc", "/xy", "/home/root/"}) {
    r.SetString(F("file.path"), p);
    EXPECT_FALSE(Fires(c, r)) << p;
  }
}

TEST(Compiler, ConstantsFold) {
  auto c = CompileRule("open", "file.path == \"/a\" and (true or proc.name == \"x\")");
  std::string plan = match::DescribeTree(c.rules->rules()[0].condition, 0);
  EXPECT_EQ(plan, "file.path == \"/a\"\n");
}

// ---- building blocks --------------------------------------------------------------------

TEST(Glob, Semantics) {
  using lang::GlobMatch;
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("a*b*c", "a-b-b-c"));
  EXPECT_FALSE(GlobMatch("a*b*c", "a-b-b-"));
  EXPECT_TRUE(GlobMatch("?", "\xc3\xa9"));  // one UTF-8 character
  EXPECT_FALSE(GlobMatch("??", "\xc3\xa9"));
  EXPECT_TRUE(GlobMatch("[!a-c]x", "dx"));
  EXPECT_FALSE(GlobMatch("[!a-c]x", "bx"));
  EXPECT_TRUE(GlobMatch("[]]", "]"));
  EXPECT_TRUE(GlobMatch("\\*", "*"));
  EXPECT_FALSE(GlobMatch("\\*", "x"));
  // Pathological pattern stays fast: no exponential backtracking.
  std::string text(2000, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*b", text));
}

TEST(StringTrie, PrefixAndSuffix) {
  match::StringTrie prefixes;
  prefixes.Insert("/etc/");
  prefixes.Insert("/etc/ssh/");
  prefixes.Insert("/usr/lib");
  EXPECT_EQ(prefixes.size(), 3u);
  EXPECT_TRUE(prefixes.Match("/etc/passwd"));
  EXPECT_TRUE(prefixes.Match("/usr/lib64/x"));
  EXPECT_FALSE(prefixes.Match("/etc"));
  EXPECT_FALSE(prefixes.Match(""));
  match::StringTrie suffixes(true);
  suffixes.Insert(".so");
  suffixes.Insert(".ko");
  EXPECT_TRUE(suffixes.Match("/lib/x.so"));
  EXPECT_FALSE(suffixes.Match("/lib/x.so.1"));
  match::StringTrie empty_member;
  empty_member.Insert("");
  EXPECT_TRUE(empty_member.Match("anything"));
}

TEST(OutputTemplate, FieldsIndexesBracesAndAbsence) {
  auto t =
      match::OutputTemplate::Parse("{proc.name} [{proc.aname[2]}] {{literal}} {nope} {open.flags}");
  auto r = Event(EventType::kOpen);
  r.SetString(F("proc.name"), "cat");
  r.SetUint(F("open.flags"), 01 | 0100 | 02000000);
  std::string out;
  t.Render(r, &out);
  EXPECT_EQ(out, "cat [<NA>] {literal} {nope} O_WRONLY|O_CREAT|O_CLOEXEC");
}

// `tmpl` rendered over an exec event whose list field `list` holds `items`.
std::string RenderOverList(const char* tmpl, const char* list,
                           std::initializer_list<const char*> items) {
  auto t = match::OutputTemplate::Parse(tmpl);
  auto r = Event(EventType::kExec);
  r.ClearList(F(list));
  for (const char* item : items) r.AppendToList(F(list), item);
  std::string out;
  t.Render(r, &out);
  return out;
}

TEST(OutputTemplate, ListElementsByIndex) {
  // {LIST[N]} is element N of a list field, from 0: {proc.args[1]} is argv[1] (docs/alerts.md).
  EXPECT_EQ(RenderOverList("{proc.args[0]} {proc.args[1]} {proc.args[5]} {proc.args}", "proc.args",
                           {"curl", "-s"}),
            "curl -s <NA> [curl, -s]");
}

TEST(OutputTemplate, EnvironmentVariableByName) {
  // {proc.env[NAME]} is the value of one selected variable; an absent one renders as <NA>, and a
  // key only another field would take stays literal text (lint reports it, V045).
  EXPECT_EQ(RenderOverList(
                "preload={proc.env[LD_PRELOAD]} audit={proc.env[LD_AUDIT]} {proc.name[LD_PRELOAD]}",
                "proc.env", {"LD_PRELOADX=no", "LD_PRELOAD=/tmp/x.so"}),
            "preload=/tmp/x.so audit=<NA> {proc.name[LD_PRELOAD]}");
}

TEST(FieldText, FlagsWithUnnamedBits) {
  EXPECT_EQ(match::FlagsText(F("open.flags"), 0), "O_RDONLY");
  EXPECT_EQ(match::FlagsText(F("chmod.mode"), 04000 | 0x10000), "S_ISUID|0x10000");
  EXPECT_EQ(match::FlagsText(F("chmod.mode"), 0), "0");
}

TEST(TestEvent, DefaultsAndDerivedFields) {
  auto c = CompileSource(R"(
rule r { desc "d" severity low on open when file.name == "shadow" output "x" }
test r {
  alert open { file.path: "/etc/shadow", open.flags: [O_WRONLY, O_CREAT] }
  quiet open { file.path: "/etc/shadow", evt.failed: true }
})");
  ASSERT_EQ(c.program->tests.size(), 1u);
  const auto& cases = c.program->tests[0]->cases;
  match::EventRecord r;
  auto made = match::RecordFromTestCase(cases[0], &r);
  ASSERT_TRUE(made) << made.error().all().front().message;
  EXPECT_EQ(r.String(F("file.name")), "shadow");
  EXPECT_EQ(r.String(F("file.dir")), "/etc");
  EXPECT_EQ(r.Int(F("evt.retval")), 0);
  EXPECT_FALSE(r.Bool(F("evt.failed")));
  EXPECT_TRUE(r.Bool(F("open.write")));
  EXPECT_TRUE(r.Bool(F("open.create")));
  EXPECT_FALSE(r.Has(F("proc.name")));  // everything else is absent
  ASSERT_TRUE(match::RecordFromTestCase(cases[1], &r));
  EXPECT_FALSE(r.Has(F("evt.retval")));  // evt.failed was given: no made-up retval
  EXPECT_TRUE(r.Bool(F("evt.failed")));
}

TEST(RecordJson, RoundTripKeepsEveryType) {
  auto r = Event(EventType::kConnect);
  r.SetString(F("proc.name"), "cu\x1b[0mrl");
  r.SetInt(F("proc.pid"), 42);
  r.SetUint(F("proc.uid"), 4294967295u);
  r.SetBool(F("proc.exe_memfd"), true);
  r.SetAddress(F("net.daddr"), *ParseIpAddress("2001:db8::1"));
  r.SetInt(F("net.dport"), 443);
  r.ClearList(F("proc.args"));
  r.AppendToList(F("proc.args"), "curl");
  r.set_incomplete(true);
  r.set_policies(5);
  match::DeriveFields(r);
  auto j = output::RecordToJson(r);
  EXPECT_EQ(j["proc"]["name"], "cu\x1b[0mrl");
  EXPECT_EQ(j["net"]["daddr"], "2001:db8::1");
  match::EventRecord back;
  auto read = output::RecordFromJson(j, {}, &back);
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(output::RecordToJson(back), j);
  EXPECT_EQ(back.type(), EventType::kConnect);
  EXPECT_TRUE(back.incomplete());
  EXPECT_EQ(back.policies(), 5u);
}

TEST(AlertJson, HostileStringsStayOnOneLine) {
  auto c = CompileRule("exec", "exists proc.name", "");
  auto r = Event(EventType::kExec);
  r.SetString(F("proc.name"), std::string("a\n\r\x1b]0;x\x07\xff\xfe\xc2\x9b\xe2\x80\xa8\x7f", 17));
  match::DeriveFields(r);
  match::EvalScratch s;
  std::vector<match::RuleMatch> m;
  c.rules->Evaluate(r, s, m);
  ASSERT_EQ(m.size(), 1u);
  std::string line = output::AlertJsonLine(output::MakeAlert(*c.rules, m[0], r));
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    unsigned char ch = static_cast<unsigned char>(line[i]);
    EXPECT_FALSE(ch < 0x20 || ch == 0x7f) << "raw control byte at " << i;
  }
  EXPECT_EQ(line.find("\xc2\x9b"), std::string::npos);
  EXPECT_EQ(line.find("\xe2\x80\xa8"), std::string::npos);
  EXPECT_NE(line.find("\\u009b"), std::string::npos);
  EXPECT_NE(line.find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD for invalid bytes
  std::string text = output::AlertTextLine(output::MakeAlert(*c.rules, m[0], r));
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

// Issue 17: what a SIEM needs to take an alert on its own: its id, the schema version, the host,
// the agent's version, the rule's description and tags.
TEST(AlertJson, CarriesIdHostVersionDescriptionAndTags) {
  auto c = CompileSource(R"(
rule shell { desc "a shell ran" severity high tags [exec, shell] on exec when proc.name == "sh" output "sh {proc.pid}" }
)");
  auto r = Event(EventType::kExec);
  r.SetString(F("proc.name"), "sh");
  r.SetString(F("host.name"), "node-7");
  match::DeriveFields(r);
  match::EvalScratch s;
  std::vector<match::RuleMatch> m;
  c.rules->Evaluate(r, s, m);
  ASSERT_EQ(m.size(), 1u);
  output::Alert a = output::MakeAlert(*c.rules, m[0], r);
  a.envelope.id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  auto j = nlohmann::json::parse(output::AlertJsonLine(a));
  EXPECT_EQ(j["id"], "0f8fad5b-d9cb-469f-a165-70867728950e");
  EXPECT_EQ(j["schema_version"], output::kAlertSchemaVersion);
  EXPECT_EQ(j["hostname"], "node-7");
  EXPECT_EQ(j["vigil_version"], output::VigilVersion());
  EXPECT_FALSE(j["vigil_version"].get<std::string>().empty());
  EXPECT_EQ(j["description"], "a shell ran");
  EXPECT_EQ(j["tags"], nlohmann::json({"exec", "shell"}));
}

TEST(AlertIds, UniqueUuidsAndReproducibleWhenFixed) {
  auto ids = output::AlertIdGenerator::Random();
  std::set<std::string> seen;
  for (int i = 0; i < 100000; ++i) {
    std::string id = ids.Next();
    ASSERT_EQ(id.size(), 36u);
    ASSERT_EQ(id[14], '4') << id;                                          // version 4
    ASSERT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // RFC 4122 variant
    ASSERT_TRUE(seen.insert(id).second) << "repeated id " << id;
  }
  // Two agents (two random seeds) do not give the same first id.
  EXPECT_NE(output::AlertIdGenerator::Random().Next(), output::AlertIdGenerator::Random().Next());
  auto a = output::AlertIdGenerator::Fixed(0), b = output::AlertIdGenerator::Fixed(0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.Next(), b.Next());
  EXPECT_NE(output::AlertIdGenerator::Fixed(0).Next(), output::AlertIdGenerator::Fixed(1).Next());
}

// The falcosidekick payload: the keys falcosidekick's FalcoPayload reads, Falco's priority
// names, the event's fields by their dotted names.
TEST(AlertFalcoJson, HasFalcoPayloadShape) {
  auto c = CompileSource(R"(
rule shell { desc "a shell ran" severity critical tags [shell] on exec when proc.name == "sh" output "sh {proc.pid}" }
)");
  auto r = Event(EventType::kExec);
  r.SetString(F("proc.name"), "sh");
  r.SetString(F("host.name"), "node-7");
  r.SetUint(F("evt.time"), 1764063500123456789ull);
  match::DeriveFields(r);
  match::EvalScratch s;
  std::vector<match::RuleMatch> m;
  c.rules->Evaluate(r, s, m);
  ASSERT_EQ(m.size(), 1u);
  output::Alert a = output::MakeAlert(*c.rules, m[0], r);
  a.envelope.id = "id-1";
  std::string line = output::AlertFalcoJsonLine(a);
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["uuid"], "id-1");
  EXPECT_EQ(j["priority"], "Critical");
  EXPECT_EQ(j["rule"], "shell");
  EXPECT_EQ(j["time"], "2025-11-25T09:38:20.123456789Z");
  EXPECT_EQ(j["source"], "syscall");
  EXPECT_EQ(j["hostname"], "node-7");
  EXPECT_EQ(j["tags"], nlohmann::json({"shell"}));
  EXPECT_EQ(j["output_fields"]["proc.name"], "sh");
  EXPECT_EQ(j["output_fields"]["host.name"], "node-7");
  EXPECT_TRUE(j["output"].get<std::string>().rfind("sh ", 0) == 0);
  EXPECT_STREQ(output::FalcoPriority(lang::ast::Severity::kInfo), "Informational");
  EXPECT_STREQ(output::FalcoPriority(lang::ast::Severity::kLow), "Notice");
  EXPECT_STREQ(output::FalcoPriority(lang::ast::Severity::kMedium), "Warning");
  EXPECT_STREQ(output::FalcoPriority(lang::ast::Severity::kHigh), "Error");
}

TEST(AlertIds, FixedSeedsGiveTheSameIdsAsEver) {
  // Replays with --seed compare alert ids across versions: the ids of a seed never change.
  auto ids = output::AlertIdGenerator::Fixed(0);
  EXPECT_EQ(ids.Next(), "48218226-ff3c-44bf-8359-fff62713a185");
  EXPECT_EQ(ids.Next(), "ea8568d2-e45f-46cb-9311-8a61ed9e9e14");
  EXPECT_EQ(output::AlertIdGenerator::Fixed(20261203).Next(),
            "036c3715-8447-4123-9be4-d09f445f1a99");
}

TEST(AlertJson, Rfc3339) {
  EXPECT_EQ(output::Rfc3339Nanos(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(output::Rfc3339Nanos(1764063500123456789ull), "2025-11-25T09:38:20.123456789Z");
  // Against the C library's own formatting, across days, years, leap days and the cached
  // second (the same second twice, then the next).
  std::mt19937_64 rng(20261203);
  for (int i = 0; i < 20000; ++i) {
    uint64_t ns = rng() % (uint64_t{4102444800} * 1000000000);  // before 2100
    if (i % 3 == 1) ns += 1;
    for (uint64_t at : {ns, ns + 999999999 - ns % 1000000000, ns + 1000000000}) {
      const time_t secs = static_cast<time_t>(at / 1000000000ull);
      struct tm tm {};
      gmtime_r(&secs, &tm);
      char want[64];
      size_t n = std::strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
      std::snprintf(want + n, sizeof want - n, ".%09lluZ",
                    static_cast<unsigned long long>(at % 1000000000ull));
      ASSERT_EQ(output::Rfc3339Nanos(at), want) << at;
    }
  }
}

}  // namespace
}  // namespace vigil::testing
