// ReplayAlerts: the one loop of `vigil replay` and bench/replay (evaluate, correlate, throttle,
// format), with the rules' throttles on and off.
#include "output/replay_alerts.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/match/match_harness.h"

namespace vigil::output {
namespace {

constexpr uint64_t kT0 = 1'764'063'500'000'000'000;  // evt.time of the first event
constexpr uint64_t kSec = 1'000'000'000;

match::EventRecord Exec(uint64_t at_s, const char* name) {
  match::EventRecord r;
  r.set_type(lang::EventType::kExec);
  r.SetUint(lang::FieldId::kEvtTime, kT0 + at_s * kSec);
  r.SetString(lang::FieldId::kProcName, name);
  return r;
}

size_t Lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// Three alerts of one key in one minute under `throttle 1 per 1m`: one goes out, the two held
// back are reported by the window's summary at the end of the input. Without the throttle,
// every match is an alert.
TEST(ReplayAlerts, AppliesTheRulesThrottlesOnlyWhenAskedTo) {
  auto c = testing::CompileSource(R"(
rule r { desc "d" severity low on exec throttle 1 per 1m by proc.name output "{proc.name}" }
policy p { rules [r] }
)");
  ASSERT_TRUE(c.rules);
  for (bool throttle : {true, false}) {
    ReplayAlerts judge(*c.rules, {.format = AlertFormat::kJson, .throttle = throttle});
    std::string out;
    for (uint64_t at : {0, 1, 2}) judge.Judge(Exec(at, "a"), &out);
    judge.Finish(&out);
    EXPECT_EQ(judge.alerts(), throttle ? 2u : 3u) << out;
    EXPECT_EQ(Lines(out), judge.alerts());
    EXPECT_EQ(judge.throttle_stats().suppressed, throttle ? 2u : 0u);
    EXPECT_EQ(out.find("\"suppressed\":2") != std::string::npos, throttle) << out;
  }
}

// The same events give the same bytes (ids from a constant seed), and Match alone writes no
// alert.
TEST(ReplayAlerts, GivesTheSameBytesEveryTime) {
  auto c = testing::CompileSource(R"(
rule r { desc "d" severity low on exec output "{proc.name}" }
policy p { rules [r] }
)");
  ASSERT_TRUE(c.rules);
  std::string first, second;
  for (std::string* out : {&first, &second}) {
    ReplayAlerts judge(*c.rules, {.format = AlertFormat::kText});
    EXPECT_EQ(judge.Match(Exec(0, "x")).size(), 1u);
    EXPECT_EQ(judge.alerts(), 0u);
    judge.Judge(Exec(1, "y"), out);
    EXPECT_EQ(judge.alerts(), 1u);
  }
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace vigil::output
