// Alert outputs: a slow output never blocks the caller and its overflow is counted; file
// outputs reopen their path on request (log rotation); bad output specs are refused.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "output/sinks.h"

namespace vigil::output {
namespace {

namespace fs = std::filesystem;

// A sink that blocks until released, to stand for a stuck syslog or a full disk.
class GatedSink : public Sink {
 public:
  bool Write(const std::string& line) override {
    while (!open.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    lines.push_back(line);
    return !fail.load();
  }
  std::string Name() const override { return "gated"; }
  std::atomic<bool> open{false};
  std::atomic<bool> fail{false};
  std::vector<std::string> lines;
};

TEST(AsyncSink, NeverBlocksAndCountsOverflow) {
  auto gated = std::make_unique<GatedSink>();
  GatedSink* g = gated.get();
  AsyncSink sink(std::move(gated), 8);
  size_t accepted = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) accepted += sink.Push("alert " + std::to_string(i));
  auto spent = std::chrono::steady_clock::now() - start;
  EXPECT_LT(spent, std::chrono::seconds(1));  // the pushes did not wait for the stuck sink
  EXPECT_LE(accepted, 9u);                    // the queue, plus one being written
  g->open = true;
  sink.Drain();
  auto stats = sink.stats();
  EXPECT_EQ(stats.written, accepted);
  EXPECT_EQ(stats.dropped_queue_full, 100 - accepted);
  EXPECT_EQ(g->lines.front(), "alert 0");
}

TEST(AsyncSink, CountsFailedWrites) {
  auto gated = std::make_unique<GatedSink>();
  gated->open = true;
  gated->fail = true;
  AsyncSink sink(std::move(gated), 16);
  sink.Push("x");
  sink.Push("y");
  sink.Stop();
  EXPECT_EQ(sink.stats().failed_writes, 2u);
  EXPECT_EQ(sink.stats().written, 0u);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(FileSink, AppendsAndReopensForRotation) {
  char tmpl[] = "/tmp/vigil-sink-test-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string path = dir + "/alerts.jsonl";
  auto made = MakeSink("file:" + path);
  ASSERT_TRUE(made) << made.error();
  auto& sink = *made;
  ASSERT_TRUE(sink->Write("{\"n\":1}"));
  fs::rename(path, path + ".1");  // what logrotate does
  ASSERT_TRUE(sink->Write("{\"n\":2}"));  // still the old file until asked to reopen
  sink->RequestReopen();
  ASSERT_TRUE(sink->Write("{\"n\":3}"));
  EXPECT_EQ(Slurp(path + ".1"), "{\"n\":1}\n{\"n\":2}\n");
  EXPECT_EQ(Slurp(path), "{\"n\":3}\n");
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  fs::remove_all(dir);
}

TEST(MakeSink, RefusesUnknownSpecsAndUnwritablePaths) {
  auto unknown = MakeSink("kafka:topic");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("stdout, file:PATH or syslog"), std::string::npos);
  auto unwritable = MakeSink("file:/nonexistent-dir/x/alerts");
  ASSERT_FALSE(unwritable);
  EXPECT_NE(unwritable.error().find("cannot open output"), std::string::npos);
  EXPECT_TRUE(MakeSink("stdout"));
}

}  // namespace
}  // namespace vigil::output
