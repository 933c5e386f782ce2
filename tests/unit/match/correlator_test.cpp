// The correlation state machine (match::Correlator) and the language's throttle
// (match::RuleThrottle): windows in event time, grouping keys, distinct counts, ordered and
// unordered steps, references to earlier steps, bounds with eviction, determinism.
#include <gtest/gtest.h>

#include "match/correlator.h"
#include "match/rule_throttle.h"
#include "match_harness.h"

namespace vigil::testing {
namespace {

using lang::EventType;
using lang::FieldId;

constexpr uint64_t kSec = 1'000'000'000ULL;
constexpr uint64_t kT0 = 1'800'000'000ULL * kSec;

match::EventRecord Exec(uint64_t at_s, int64_t pid, int64_t ppid, const std::string& name,
                        const std::string& exe = "/usr/bin/x") {
  match::EventRecord r = Event(EventType::kExec);
  r.SetUint(FieldId::kEvtTime, kT0 + at_s * kSec);
  r.SetInt(FieldId::kProcPid, pid);
  r.SetInt(FieldId::kProcParentPid, ppid);
  r.SetString(FieldId::kProcName, name);
  r.SetString(FieldId::kProcExe, exe);
  r.SetString(FieldId::kUserName, "alice");
  return r;
}

match::EventRecord Open(uint64_t at_s, int64_t pid, const std::string& path) {
  match::EventRecord r = Event(EventType::kOpen);
  r.SetUint(FieldId::kEvtTime, kT0 + at_s * kSec);
  r.SetInt(FieldId::kProcPid, pid);
  r.SetString(FieldId::kProcName, "sh");
  r.SetString(FieldId::kFilePath, path);
  r.SetString(FieldId::kUserName, "alice");
  return r;
}

// Feeds events to a fresh correlator; returns, per event, whether rule "r" fired.
struct Feeder {
  explicit Feeder(const CompiledSource& c) : c(c), correlator(*c.rules) {}
  bool Feed(match::EventRecord r) {
    matches.clear();
    c.rules->Evaluate(r, scratch, matches);
    correlator.Judge(matches, r);
    for (const auto& m : matches)
      if (c.rules->rules()[m.rule].name == "r") {
        last = m.firing >= 0 ? correlator.firings()[m.firing] : match::Firing{};
        return true;
      }
    return false;
  }
  const CompiledSource& c;
  match::Correlator correlator;
  match::EvalScratch scratch;
  std::vector<match::RuleMatch> matches;
  match::Firing last;
};

const char* kBurst = R"(
rule r {
  desc "d"
  severity low
  on exec
  when proc.name in [whoami, id, uname, hostname]
  count 3 within 60s by proc.parent.pid
  output "x"
}
)";

TEST(Correlator, CountFiresAtTheNthEventOfOneKeyWithinTheWindow) {
  auto c = CompileSource(kBurst);
  Feeder run(c);
  EXPECT_FALSE(run.Feed(Exec(0, 10, 1, "whoami")));
  EXPECT_FALSE(run.Feed(Exec(1, 11, 2, "id")));  // another parent: another key
  EXPECT_FALSE(run.Feed(Exec(2, 12, 1, "ls")));  // not counted: the condition is false
  EXPECT_FALSE(run.Feed(Exec(3, 13, 1, "id")));
  EXPECT_TRUE(run.Feed(Exec(4, 14, 1, "uname")));
  ASSERT_EQ(run.last.events.size(), 3u);
  EXPECT_EQ(run.last.events[0].pid, 10);
  EXPECT_EQ(run.last.events[0].time_ns, kT0);
  EXPECT_EQ(run.last.events[2].pid, 14);
  EXPECT_EQ(run.last.events[2].name, "uname");
  ASSERT_EQ(run.last.key.size(), 1u);
  EXPECT_EQ(run.last.key[0], "1");
  // It starts over: the next two of that key do not fire.
  EXPECT_FALSE(run.Feed(Exec(5, 15, 1, "id")));
  EXPECT_FALSE(run.Feed(Exec(6, 16, 1, "id")));
}

// `vigil test` runs every case on one correlator and forgets the tested rule's state between
// cases.
TEST(Correlator, ForgetStartsARuleAfresh) {
  auto c = CompileSource(kBurst);
  Feeder run(c);
  EXPECT_FALSE(run.Feed(Exec(0, 10, 1, "whoami")));
  EXPECT_FALSE(run.Feed(Exec(1, 11, 1, "id")));
  run.correlator.Forget(*c.rules->FindRule("r"));
  EXPECT_EQ(run.correlator.stats().keys_live, 0u);
  // The key's third event, but the first since Forget: the count starts again.
  EXPECT_FALSE(run.Feed(Exec(2, 12, 1, "id")));
  EXPECT_FALSE(run.Feed(Exec(3, 13, 1, "id")));
  EXPECT_TRUE(run.Feed(Exec(4, 14, 1, "id")));
  EXPECT_EQ(run.last.events.front().pid, 12);
}

TEST(Correlator, CountForgetsEventsOlderThanTheWindow) {
  auto c = CompileSource(kBurst);
  Feeder run(c);
  EXPECT_FALSE(run.Feed(Exec(0, 10, 1, "whoami")));
  EXPECT_FALSE(run.Feed(Exec(30, 11, 1, "id")));
  EXPECT_FALSE(run.Feed(Exec(61, 12, 1, "id")));  // the first is 61 s old: two in the window
  EXPECT_TRUE(run.Feed(Exec(62, 13, 1, "id")));
  EXPECT_EQ(run.last.events.front().pid, 11);
}

TEST(Correlator, DistinctCountsValuesNotEvents) {
  auto c = CompileSource(R"(
rule r {
  desc "d"
  severity low
  on exec
  when proc.name in [whoami, id, uname, hostname]
  count 3 distinct proc.name within 1m by user.name
  output "x"
}
)");
  Feeder run(c);
  EXPECT_FALSE(run.Feed(Exec(0, 10, 1, "id")));
  EXPECT_FALSE(run.Feed(Exec(1, 11, 2, "id")));
  EXPECT_FALSE(run.Feed(Exec(2, 12, 3, "id")));
  EXPECT_FALSE(run.Feed(Exec(3, 13, 4, "whoami")));
  EXPECT_TRUE(run.Feed(Exec(4, 14, 5, "uname")));
  ASSERT_EQ(run.last.events.size(), 3u);
  EXPECT_EQ(run.last.events[0].pid, 12);  // the newest event of a repeated value stands for it
  EXPECT_EQ(run.last.key.at(0), "alice");
}

const char* kDropped = R"(
rule r {
  desc "d"
  severity high
  step written on open when file.path startswith "/tmp/"
  step ran on exec when proc.exe == written.file.path
  within 30s
  by user.name
  output "x"
}
)";

TEST(Correlator, SequenceJoinsALaterStepToAnEarlierStepsField) {
  auto c = CompileSource(kDropped);
  Feeder run(c);
  EXPECT_FALSE(run.Feed(Open(0, 100, "/tmp/a")));
  EXPECT_FALSE(run.Feed(Open(1, 100, "/tmp/b")));
  EXPECT_FALSE(run.Feed(Exec(2, 101, 100, "c", "/tmp/c")));  // written by nobody
  EXPECT_TRUE(run.Feed(Exec(3, 102, 100, "b", "/tmp/b")));
  ASSERT_EQ(run.last.events.size(), 2u);
  EXPECT_EQ(run.last.events[0].step, 0);
  EXPECT_EQ(run.last.events[0].pid, 100);
  EXPECT_EQ(run.last.events[0].time_ns, kT0 + 1 * kSec);
  EXPECT_EQ(run.last.events[1].step, 1);
  EXPECT_EQ(run.last.events[1].pid, 102);
  // /tmp/a is still pending.
  EXPECT_TRUE(run.Feed(Exec(4, 103, 100, "a", "/tmp/a")));
  EXPECT_FALSE(run.Feed(Exec(5, 104, 100, "a", "/tmp/a")));  // consumed
}

TEST(Correlator, SequenceNeedsItsOrderAndItsWindow) {
  auto c = CompileSource(kDropped);
  Feeder run(c);
  EXPECT_FALSE(run.Feed(Exec(0, 101, 100, "b", "/tmp/b")));  // before the write
  EXPECT_FALSE(run.Feed(Open(1, 100, "/tmp/b")));
  EXPECT_FALSE(run.Feed(Exec(32, 102, 100, "b", "/tmp/b")));  // 31 s after: the window passed
  EXPECT_EQ(run.correlator.stats().fired, 0u);
}

TEST(Correlator, AnyOrderFiresWhenEveryStepWasSeenWithinTheWindow) {
  auto c = CompileSource(R"(
rule r {
  desc "d"
  severity medium
  steps any_order
  step shadow on open when file.path == "/etc/shadow"
  step shell on exec when proc.name == "bash"
  within 10s
  by user.name
  output "x"
}
)");
  Feeder run(c);
  EXPECT_FALSE(run.Feed(Exec(0, 1, 0, "bash")));
  EXPECT_FALSE(run.Feed(Open(11, 2, "/etc/shadow")));  // the exec is 11 s old
  EXPECT_TRUE(run.Feed(Exec(12, 3, 0, "bash")));       // either order
  ASSERT_EQ(run.last.events.size(), 2u);
  EXPECT_EQ(run.last.events[0].pid, 2);  // oldest first
  EXPECT_EQ(run.last.events[1].pid, 3);
}

TEST(Correlator, KeysPastMaxKeysEvictTheLeastRecentlyUsedAndCountIt) {
  auto c = CompileSource(R"(
rule r {
  desc "d"
  severity low
  on exec
  count 2 within 1h by proc.parent.pid
  max_keys 2
  output "x"
}
)");
  Feeder run(c);
  EXPECT_FALSE(run.Feed(Exec(0, 10, 1, "a")));
  EXPECT_FALSE(run.Feed(Exec(1, 11, 2, "a")));
  EXPECT_TRUE(run.Feed(Exec(2, 12, 1, "a")));   // key 1 fires (2 events) ...
  EXPECT_FALSE(run.Feed(Exec(3, 13, 3, "a")));  // ... key 3 evicts key 2 (least recently used)
  EXPECT_EQ(run.correlator.stats().keys_evicted, 1u);
  EXPECT_FALSE(run.Feed(Exec(4, 14, 2, "a")));  // key 2 starts over
  EXPECT_EQ(run.correlator.stats().keys_evicted, 2u);
  EXPECT_LE(run.correlator.stats().keys_live, 2u);
}

TEST(Correlator, PendingSequencesPastMaxPendingEvictTheOldest) {
  std::string text = kDropped;
  text.replace(text.find("  by user.name"), 0, "  max_pending 2\n");
  auto c = CompileSource(text);
  Feeder run(c);
  EXPECT_FALSE(run.Feed(Open(0, 100, "/tmp/a")));
  EXPECT_FALSE(run.Feed(Open(1, 100, "/tmp/b")));
  EXPECT_FALSE(run.Feed(Open(2, 100, "/tmp/c")));  // evicts /tmp/a
  EXPECT_EQ(run.correlator.stats().pending_evicted, 1u);
  EXPECT_FALSE(run.Feed(Exec(3, 101, 100, "a", "/tmp/a")));
  EXPECT_TRUE(run.Feed(Exec(4, 101, 100, "c", "/tmp/c")));
}

TEST(Correlator, KeysExpireInEventTime) {
  auto c = CompileSource(kBurst);
  Feeder run(c);
  EXPECT_FALSE(run.Feed(Exec(0, 10, 1, "id")));
  EXPECT_FALSE(run.Feed(Exec(1, 11, 2, "id")));
  EXPECT_EQ(run.correlator.stats().keys_live, 2u);
  EXPECT_FALSE(run.Feed(Exec(100, 12, 3, "id")));  // both older keys expire
  EXPECT_EQ(run.correlator.stats().keys_expired, 2u);
  EXPECT_EQ(run.correlator.stats().keys_live, 1u);
}

// A forgotten key's storage is reused by the next new key (no allocation in a steady stream of
// keys); what it held must not carry over. With max_keys 1 every new key takes over the last.
TEST(Correlator, ANewKeyInAForgottenKeysStorageStartsEmpty) {
  auto c = CompileSource(R"(
rule r {
  desc "d"
  severity low
  on exec
  count 2 within 1h by proc.parent.pid
  max_keys 1
  output "x"
}
)");
  Feeder run(c);
  EXPECT_FALSE(run.Feed(Exec(0, 10, 1, "a")));  // key 1 holds one event
  EXPECT_FALSE(run.Feed(Exec(1, 11, 2, "a")));  // key 2 evicts key 1: one event, not two
  EXPECT_FALSE(run.Feed(Exec(2, 12, 1, "a")));  // key 1 starts over
  EXPECT_TRUE(run.Feed(Exec(3, 13, 1, "a")));
  EXPECT_EQ(run.last.key, std::vector<std::string>{"1"});
  ASSERT_EQ(run.last.events.size(), 2u);
  EXPECT_EQ(run.last.events[0].pid, 12);
  EXPECT_EQ(run.correlator.stats().keys_evicted, 2u);

  std::string text = kDropped;
  text.replace(text.find("  by user.name"), 0, "  max_keys 1\n");
  auto seq = CompileSource(text);
  Feeder steps(seq);
  EXPECT_FALSE(steps.Feed(Open(0, 100, "/tmp/a")));  // alice wrote /tmp/a
  auto bob = Exec(1, 101, 100, "a", "/tmp/a");
  bob.SetString(FieldId::kUserName, "bob");
  EXPECT_FALSE(steps.Feed(bob));  // bob's key evicts alice's: her write is not his
  EXPECT_FALSE(steps.Feed(Exec(2, 102, 100, "a", "/tmp/a")));  // alice's key starts over
}

TEST(Correlator, SameEventsGiveTheSameFirings) {
  auto c = CompileSource(kDropped);
  std::vector<match::EventRecord> events;
  for (uint64_t i = 0; i < 200; ++i) {
    std::string path = "/tmp/f" + std::to_string(i % 7);
    events.push_back(i % 3 ? Open(i, 100 + static_cast<int64_t>(i), path)
                           : Exec(i, 100 + static_cast<int64_t>(i), 1, "x", path));
  }
  auto trace = [&] {
    Feeder run(c);
    std::string out;
    for (const auto& e : events)
      if (run.Feed(e))
        for (const auto& ev : run.last.events) out += std::to_string(ev.pid) + ",";
    return out;
  };
  std::string first = trace();
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, trace());
}

// Rule `r`: at most `limit` alerts per minute per process name.
std::string ThrottledByName(int limit) {
  return "rule r { desc \"d\" severity low on exec throttle " + std::to_string(limit) +
         " per 1m by proc.name output \"{proc.name}\" }";
}

TEST(RuleThrottle, HoldsBackPastTheLimitAndReportsTheCountInTheNextAlert) {
  auto c = CompileSource(ThrottledByName(2));
  match::RuleThrottle t(*c.rules);
  auto rule = *c.rules->FindRule("r");
  auto admit = [&](uint64_t at, const char* name) {
    return t.Admit({.rule = rule}, Exec(at, 1, 0, name), name);
  };
  EXPECT_TRUE(admit(0, "a").admit);
  EXPECT_TRUE(admit(1, "a").admit);
  EXPECT_FALSE(admit(2, "a").admit);
  EXPECT_TRUE(admit(3, "b").admit);  // another key
  EXPECT_FALSE(admit(4, "a").admit);
  EXPECT_EQ(t.Pending(), 2u);
  auto v = admit(61, "a");  // a new window
  EXPECT_TRUE(v.admit);
  EXPECT_EQ(v.suppressed, 2u);
  EXPECT_EQ(v.first_ns, kT0 + 2 * kSec);
  EXPECT_EQ(v.last_ns, kT0 + 4 * kSec);
  EXPECT_EQ(admit(62, "a").suppressed, 0u);
  EXPECT_EQ(t.stats().suppressed, 2u);
}

TEST(RuleThrottle, ForgetStartsARulesWindowsAfresh) {
  auto c = CompileSource(ThrottledByName(1));
  match::RuleThrottle t(*c.rules);
  auto rule = *c.rules->FindRule("r");
  auto admit = [&](uint64_t at) { return t.Admit({.rule = rule}, Exec(at, 1, 0, "a"), "a"); };
  EXPECT_TRUE(admit(0).admit);
  EXPECT_FALSE(admit(1).admit);
  t.Forget(rule);
  EXPECT_EQ(t.Pending(), 0u);
  auto v = admit(2);  // the window's first alert again, with nothing held back before it
  EXPECT_TRUE(v.admit);
  EXPECT_EQ(v.suppressed, 0u);
  EXPECT_FALSE(admit(3).admit);
  std::vector<match::RuleThrottle::Summary> summaries;
  // The forgotten window's deadline finds no key of its window: only the new one is summarised.
  t.Expire(UINT64_MAX, &summaries);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].verdict.suppressed, 1u);
  EXPECT_EQ(summaries[0].verdict.first_ns, kT0 + 3 * kSec);
}

TEST(RuleThrottle, AWindowThatClosesWithAlertsHeldBackIsSummarisedOnce) {
  auto c = CompileSource(ThrottledByName(1));
  match::RuleThrottle t(*c.rules);
  auto rule = *c.rules->FindRule("r");
  auto admit = [&](uint64_t at, const char* name) {
    return t.Admit({.rule = rule, .policies = 5}, Exec(at, 1, 0, name), name);
  };
  std::vector<match::RuleThrottle::Summary> out;
  EXPECT_TRUE(admit(0, "a").admit);
  EXPECT_FALSE(admit(10, "a").admit);
  EXPECT_FALSE(admit(20, "a").admit);
  EXPECT_TRUE(admit(30, "b").admit);
  t.Expire(kT0 + 59 * kSec, &out);  // a's window is still open
  EXPECT_TRUE(out.empty());
  t.Expire(kT0 + 60 * kSec, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].verdict.summary);
  EXPECT_EQ(out[0].verdict.suppressed, 2u);
  EXPECT_EQ(out[0].verdict.first_ns, kT0 + 10 * kSec);
  EXPECT_EQ(out[0].verdict.last_ns, kT0 + 20 * kSec);
  EXPECT_EQ(out[0].match.rule, rule);
  EXPECT_EQ(out[0].match.policies, 5u);
  EXPECT_EQ(out[0].event.String(lang::FieldId::kProcName), "a");
  EXPECT_EQ(t.Pending(), 0u);
  // Reported once: neither a later Expire nor the key's next alert repeats the count.
  t.Expire(kT0 + 3600 * kSec, &out);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(admit(61, "a").suppressed, 0u);
  EXPECT_EQ(t.stats().summaries, 1u);
}

TEST(RuleThrottle, AnAlertThatOpensTheNextWindowCarriesTheCountAndNoSummaryFollows) {
  auto c = CompileSource(R"(
rule r { desc "d" severity low on exec throttle 1 per 1m output "{proc.name}" }
)");
  match::RuleThrottle t(*c.rules);
  auto rule = *c.rules->FindRule("r");
  EXPECT_TRUE(t.Admit({.rule = rule}, Exec(0, 1, 0, "a"), "a").admit);
  EXPECT_FALSE(t.Admit({.rule = rule}, Exec(5, 1, 0, "a"), "a").admit);
  EXPECT_EQ(t.Admit({.rule = rule}, Exec(70, 1, 0, "a"), "a").suppressed, 1u);
  std::vector<match::RuleThrottle::Summary> out;
  t.Expire(UINT64_MAX, &out);
  EXPECT_TRUE(out.empty());
  // At the end of input every window still holding alerts back is reported.
  EXPECT_FALSE(t.Admit({.rule = rule}, Exec(71, 1, 0, "a"), "a").admit);
  t.Expire(UINT64_MAX, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].verdict.suppressed, 1u);
}

TEST(RuleThrottle, FoldKeysIdenticalAlertsByTheirOutput) {
  auto c = CompileSource(R"(
rule r {
  desc "d"
  severity low
  on exec
  throttle 1 per 1h
  fold true
  output "{proc.name}"
}
)");
  match::RuleThrottle t(*c.rules);
  auto rule = *c.rules->FindRule("r");
  EXPECT_TRUE(t.Admit({.rule = rule}, Exec(0, 1, 0, "a"), "a").admit);
  EXPECT_TRUE(t.Admit({.rule = rule}, Exec(1, 1, 0, "b"), "b").admit);
  EXPECT_FALSE(t.Admit({.rule = rule}, Exec(2, 1, 0, "a"), "a").admit);
}

TEST(RuleThrottle, APolicyThrottlesTheRulesItSelectsThatHaveNone) {
  auto c = CompileSource(R"(
rule r { desc "d" severity low on exec output "x" }
rule own { desc "d" severity low on exec throttle 5 per 1m output "x" }
policy p { rules [r, own] throttle 1 per 1h }
)");
  EXPECT_EQ(c.rules->rules()[*c.rules->FindRule("r")].throttle.limit, 1);
  EXPECT_EQ(c.rules->rules()[*c.rules->FindRule("r")].throttle.per_ns, 3600 * int64_t(kSec));
  EXPECT_EQ(c.rules->rules()[*c.rules->FindRule("own")].throttle.limit, 5);
}

}  // namespace
}  // namespace vigil::testing
