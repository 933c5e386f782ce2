// ReplayAlerts: the one loop of `vigil replay` and bench/replay (evaluate, correlate, throttle,
// format), with the rules' throttles on and off.
#include "output/replay_alerts.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>
#include <string>

#include "match/derive.h"
#include "output/record_batch_reader.h"
#include "output/record_json_reader.h"

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

// `vigil replay` evaluates each record on the thread that parsed it (RecordBatchReader with the
// rules) and judges the matches in input order (JudgeEvaluated): the same bytes as evaluating
// and judging each line in turn, whichever thread parsed which batch, with correlations (a
// threshold, a sequence joining two steps), throttles and malformed lines across batch edges.
TEST(ReplayAlerts, EvaluatedByTheReaderGivesTheSameBytes) {
  auto c = testing::CompileSource(R"(
rule burst { desc "d" severity medium on exec when proc.name in [whoami, id, uname]
  count 3 distinct proc.name within 60s by proc.ppid output "burst {proc.ppid}" }
rule dropped { desc "d" severity high
  step written on open when file.path startswith "/tmp/"
  step ran on exec when proc.exe == written.file.path
  within 5m by proc.ppid output "{proc.exe} after it was written" }
rule curl { desc "d" severity low on exec when proc.name == "curl"
  throttle 1 per 1m by proc.ppid output "curl {proc.ppid}" }
rule any_open { desc "d" severity low on open when file.path endswith "3" output "{file.path}" }
policy p { rules [burst, dropped, curl, any_open] }
)");
  ASSERT_TRUE(c.rules);
  const char* names[] = {"whoami", "id", "uname", "curl", "bash"};
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    const std::string time = std::to_string(1'800'000'000'000'000'000ull + i * 700'000'000ull);
    const std::string ppid = std::to_string(100 + i % 7);
    if (i % 97 == 5) {
      text += "not json\n";
    } else if (i % 3 == 0) {
      text += R"({"evt":{"type":"open","time":)" + time + R"(},"proc":{"ppid":)" + ppid +
              R"(},"file":{"path":"/tmp/f)" + std::to_string(i % 11) + "\"}}\n";
    } else {
      const std::string exe =
          i % 5 == 0 ? "/tmp/f" + std::to_string(i % 11) : std::string("/usr/bin/") + names[i % 5];
      text += R"({"evt":{"type":"exec","time":)" + time + R"(},"proc":{"ppid":)" + ppid +
              R"(,"name":")" + names[i % 5] + R"(","exe":")" + exe + "\"}}\n";
    }
  }
  const PolicyIndex policies = {{"p", 0}};
  std::string want;
  {
    ReplayAlerts judge(*c.rules, {});
    RecordJsonReader reader;
    match::EventRecord r;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (reader.Read(line, policies, &r)) {
        match::CompleteOfflineRecord(r);
        judge.Judge(r, &want);
      }
    judge.Finish(&want);
    ASSERT_GT(judge.alerts(), 100u);
    ASSERT_GT(judge.correlation_stats().fired, 10u);
  }
  char path[] = "/tmp/vigil-replay-alerts-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  for (auto threads : {RecordBatchReader::Threads::kOne, RecordBatchReader::Threads::kTwo})
    for (size_t batch : {1, 5, 16, 64}) {
      ::lseek(fd, 0, SEEK_SET);
      ReplayAlerts judge(*c.rules, {});
      std::string got;
      {
        RecordBatchReader reader(fd, policies, threads, batch, c.rules.get());
        while (auto* b = reader.Next())
          for (size_t i = 0; i < b->size; ++i)
            if (b->errors[i].empty()) judge.JudgeEvaluated(b->records[i], b->matches[i], &got);
      }
      judge.Finish(&got);
      EXPECT_EQ(got, want) << "threads " << static_cast<int>(threads) << ", batch " << batch;
    }
  ::close(fd);
}

}  // namespace
}  // namespace vigil::output
