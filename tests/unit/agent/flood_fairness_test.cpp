// Unit tests of the agent's fairness under floods: the alert throttle (per rule and process, per
// rule, windows of event time, bounded tables, nothing suppressed without a count) and the loss
// report (when it is due, what it says, how severe it is).
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "agent/alert_throttle.h"
#include "agent/loss_report.h"

namespace vigil::agent {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;

TEST(AlertThrottle, LimitsOneRuleForOneProcessPerWindow) {
  AlertThrottle t({.per_process = 3, .per_rule = 0, .window_ns = kSecond});
  int admitted = 0;
  for (int i = 0; i < 100; ++i) admitted += t.Admit("shadow", 42, 4242, 10 * kSecond + i);
  EXPECT_EQ(admitted, 3);
  EXPECT_EQ(t.stats().suppressed, 97u);
  // Another process, and another rule for the same process, have their own allowance.
  EXPECT_TRUE(t.Admit("shadow", 43, 4343, 10 * kSecond + 200));
  EXPECT_TRUE(t.Admit("hostname", 42, 4242, 10 * kSecond + 200));
  // The next window lets the flooding pair through again.
  EXPECT_TRUE(t.Admit("shadow", 42, 4242, 11 * kSecond));
  auto s = t.TakeSuppressed();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].rule, "shadow");
  EXPECT_EQ(s[0].pid, 4242u);
  EXPECT_EQ(s[0].alerts, 97u);
  EXPECT_TRUE(t.TakeSuppressed().empty());  // taken once
}

TEST(AlertThrottle, LimitsOneRuleAcrossProcesses) {
  AlertThrottle t({.per_process = 0, .per_rule = 5, .window_ns = kSecond});
  int admitted = 0;
  for (uint32_t pid = 1; pid <= 20; ++pid) admitted += t.Admit("noisy", pid, pid, kSecond);
  EXPECT_EQ(admitted, 5);
  EXPECT_TRUE(t.Admit("quiet", 1, 1, kSecond));  // other rules keep theirs
  EXPECT_EQ(t.stats().suppressed, 15u);
  uint64_t total = 0;
  for (const auto& s : t.TakeSuppressed()) total += s.alerts;
  EXPECT_EQ(total, 15u);
}

TEST(AlertThrottle, ZeroMeansNoLimit) {
  AlertThrottle t({.per_process = 0, .per_rule = 0});
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(t.Admit("r", 1, 1, kSecond));
  EXPECT_EQ(t.stats().suppressed, 0u);
}

TEST(AlertThrottle, FullTableLetsAlertsThroughAndCountsThem) {
  AlertThrottle t({.per_process = 1, .per_rule = 0, .window_ns = kSecond, .max_keys = 4});
  for (uint64_t e = 1; e <= 4; ++e) ASSERT_TRUE(t.Admit("r", e, 1, kSecond));
  // A fifth process in the same window: no room to track it, so it is not suppressed.
  EXPECT_TRUE(t.Admit("r", 5, 5, kSecond + 1));
  EXPECT_TRUE(t.Admit("r", 5, 5, kSecond + 2));
  EXPECT_EQ(t.stats().untracked, 2u);
  // Once the old windows end, the sweep makes room and process 5 is throttled like the others.
  EXPECT_TRUE(t.Admit("r", 5, 5, 3 * kSecond));
  EXPECT_FALSE(t.Admit("r", 5, 5, 3 * kSecond + 1));
}

TEST(AlertThrottle, SuppressionCountsPastTheBoundStayExact) {
  AlertThrottle t(
      {.per_process = 1, .per_rule = 0, .window_ns = kSecond, .max_suppressed_keys = 2});
  for (uint64_t e = 1; e <= 5; ++e) {
    t.Admit("r", e, static_cast<uint32_t>(e), kSecond);
    t.Admit("r", e, static_cast<uint32_t>(e), kSecond);  // suppressed
  }
  auto s = t.TakeSuppressed();
  ASSERT_EQ(s.size(), 3u);  // two named, one "other" bucket
  uint64_t total = 0;
  bool other = false;
  for (const auto& x : s) {
    total += x.alerts;
    if (x.rule.empty() && x.pid == 0) other = x.alerts == 3;
  }
  EXPECT_EQ(total, 5u);
  EXPECT_TRUE(other);
}

using Clock = std::chrono::steady_clock;

TEST(LossReport, NothingLostNothingReported) {
  const auto t0 = Clock::now();
  LossReport r(std::chrono::seconds(10), {}, t0);
  EXPECT_FALSE(r.Due({}, t0 + std::chrono::seconds(30), 1, 1).has_value());
}

TEST(LossReport, EvictedCorrelationStateIsALoss) {
  const auto t0 = Clock::now();
  LossReport r(std::chrono::seconds(10), {}, t0);
  LossCounters now{.correlation_evicted = 3};
  auto a = r.Due(now, t0 + std::chrono::seconds(1), 1, 1);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->severity, lang::ast::Severity::kMedium);
  auto j = nlohmann::json::parse(a->json);
  EXPECT_EQ(j["loss"]["correlation_evicted"], 3);
  EXPECT_NE(a->text.find("3 correlation states evicted"), std::string::npos) << a->text;
}

TEST(LossReport, NamesTheThrottledProcessesAndSuppressedRules) {
  const auto t0 = Clock::now();
  LossReport r(std::chrono::seconds(10), {}, t0);
  r.AddThrottled({{.pid = 77, .entity = 770, .name = "flood", .exe = "/tmp/flood", .events = 5},
                  {.pid = 78, .entity = 780, .name = "", .exe = "", .events = 9}});
  r.AddThrottled({{.pid = 77, .entity = 770, .name = "flood", .exe = "/tmp/flood", .events = 6}});
  r.AddSuppressed({{.rule = "shadow", .pid = 77, .name = "flood", .alerts = 40}});
  LossCounters now{.throttled = 20, .alerts_suppressed = 40};
  auto a = r.Due(now, t0 + std::chrono::seconds(1), 1764063500123456789ull, 5);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->severity, lang::ast::Severity::kMedium);  // held back on purpose, not overflow
  auto j = nlohmann::json::parse(a->json);
  EXPECT_EQ(j["rule"], "vigil:loss");
  EXPECT_EQ(j["source"], "agent");
  EXPECT_EQ(j["severity"], "medium");
  EXPECT_EQ(j["time"], "2025-11-25T09:38:20.123456789Z");
  EXPECT_EQ(j["loss"]["events_throttled"], 20);
  EXPECT_EQ(j["loss"]["alerts_suppressed"], 40);
  ASSERT_EQ(j["loss"]["throttled_processes"].size(), 2u);
  EXPECT_EQ(j["loss"]["throttled_processes"][0]["pid"], 77);  // most events first, merged
  EXPECT_EQ(j["loss"]["throttled_processes"][0]["events"], 11);
  EXPECT_EQ(j["loss"]["throttled_processes"][0]["exe"], "/tmp/flood");
  EXPECT_FALSE(j["loss"]["throttled_processes"][1].contains("name"));
  EXPECT_EQ(j["loss"]["suppressed"][0]["rule"], "shadow");
  EXPECT_NE(a->text.find("flood (pid 77) 11"), std::string::npos) << a->text;
  EXPECT_NE(a->text.find("shadow for flood (pid 77) 40"), std::string::npos) << a->text;
}

TEST(LossReport, OverflowIsHighAndReportsAreSpacedOut) {
  const auto t0 = Clock::now();
  LossReport r(std::chrono::seconds(10), {}, t0);
  LossCounters c{.ring_full = 100};
  auto first = r.Due(c, t0 + std::chrono::seconds(1), 1, 1);  // the first loss: at once
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->severity, lang::ast::Severity::kHigh);
  c.ring_full = 150;
  EXPECT_FALSE(r.Due(c, t0 + std::chrono::seconds(5), 1, 1).has_value());  // too soon
  auto second = r.Due(c, t0 + std::chrono::seconds(12), 1, 1);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(nlohmann::json::parse(second->json)["loss"]["events_ring_full"], 50);  // since first
  c.alerts_dropped = 1;
  auto final = r.Due(c, t0 + std::chrono::seconds(13), 1, 1, /*final=*/true);
  ASSERT_TRUE(final.has_value());  // shutdown: whatever the interval
  EXPECT_EQ(nlohmann::json::parse(final->json)["loss"]["alerts_dropped"], 1);
  EXPECT_EQ(r.reports(), 3u);
}

TEST(LossReport, AReportsOwnFailedWriteIsNoReasonForAnother) {
  const auto t0 = Clock::now();
  LossReport r(std::chrono::seconds(10), {}, t0);
  ASSERT_TRUE(r.Due({.alerts_failed = 3}, t0 + std::chrono::seconds(1), 1, 1).has_value());
  r.Sent(2);  // two outputs; one of them is closed, so the report failed there
  EXPECT_FALSE(r.Due({.alerts_failed = 4}, t0 + std::chrono::seconds(20), 1, 1).has_value());
  // A real loss later: the report covers the earlier failure too, so nothing goes uncounted.
  auto a = r.Due({.alerts_failed = 6}, t0 + std::chrono::seconds(30), 1, 1);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(nlohmann::json::parse(a->json)["loss"]["alerts_failed"], 3);
}

TEST(LossReport, OnlyRepeatsHeldBackIsLow) {
  const auto t0 = Clock::now();
  LossReport r(std::chrono::seconds(10), {}, t0);
  auto a = r.Due({.alerts_suppressed = 3}, t0 + std::chrono::seconds(1), 1, 1);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->severity, lang::ast::Severity::kLow);
}

TEST(LossReport, CarriesTheAlertEnvelopeAndAFalcosidekickForm) {
  const auto t0 = Clock::now();
  LossReport r(std::chrono::seconds(10), {}, t0);
  auto a = r.Due({.alerts_dropped = 2}, t0 + std::chrono::seconds(1), 1764063500123456789ull, 5,
                 false, {.id = "7c9e6679-7425-40de-944b-e07fc1f90ae7", .hostname = "node-7"});
  ASSERT_TRUE(a.has_value());
  auto j = nlohmann::json::parse(a->json);
  EXPECT_EQ(j["id"], "7c9e6679-7425-40de-944b-e07fc1f90ae7");
  EXPECT_EQ(j["hostname"], "node-7");
  EXPECT_EQ(j["schema_version"], output::kAlertSchemaVersion);
  EXPECT_EQ(j["vigil_version"], output::VigilVersion());
  auto f = nlohmann::json::parse(a->falco);
  EXPECT_EQ(f["uuid"], "7c9e6679-7425-40de-944b-e07fc1f90ae7");
  EXPECT_EQ(f["rule"], "vigil:loss");
  EXPECT_EQ(f["priority"], "Error");  // severity high: alerts were lost
  EXPECT_EQ(f["time"], "2025-11-25T09:38:20.123456789Z");
  EXPECT_EQ(f["output_fields"]["loss.alerts_dropped"], 2);
  EXPECT_EQ(f["output"], j["output"]);
}

TEST(LossReport, HostileProcessNamesStayOnOneLine) {
  const auto t0 = Clock::now();
  LossReport r(std::chrono::seconds(10), {}, t0);
  r.AddThrottled({{.pid = 1, .entity = 1, .name = "x\n\x1b[2J\xff", .exe = "/a\"b", .events = 1}});
  auto a = r.Due({.throttled = 1}, t0 + std::chrono::seconds(1), 1, 1);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->json.find('\n'), std::string::npos);
  EXPECT_EQ(a->json.find('\x1b'), std::string::npos);
  EXPECT_EQ(a->text.find('\n'), std::string::npos);
  EXPECT_EQ(a->text.find('\x1b'), std::string::npos);
  EXPECT_TRUE(nlohmann::json::accept(a->json));
}

}  // namespace
}  // namespace vigil::agent
