// Alert outputs: a slow output never blocks the caller and its overflow is counted; file
// outputs reopen their path on request (log rotation); bad output specs are refused.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
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
  Status Write(const std::string& line, Severity) override {
    while (!open.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    lines.push_back(line);
    if (fail.load()) return Error{"gated: failing"};
    return OkStatus();
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
  ASSERT_TRUE(sink->Write("{\"n\":1}", Severity::kLow));
  fs::rename(path, path + ".1");  // what logrotate does
  ASSERT_TRUE(
      sink->Write("{\"n\":2}", Severity::kLow));  // still the old file until asked to reopen
  sink->RequestReopen();
  ASSERT_TRUE(sink->Write("{\"n\":3}", Severity::kLow));
  EXPECT_EQ(Slurp(path + ".1"), "{\"n\":1}\n{\"n\":2}\n");
  EXPECT_EQ(Slurp(path), "{\"n\":3}\n");
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  fs::remove_all(dir);
}

TEST(MakeSink, RefusesUnknownSpecsAndUnwritablePaths) {
  auto unknown = MakeSink("kafka:topic");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("stdout, file:PATH, syslog or syslog:SOCKET"), std::string::npos);
  auto unwritable = MakeSink("file:/nonexistent-dir/x/alerts");
  ASSERT_FALSE(unwritable);
  EXPECT_NE(unwritable.error().find("cannot open output"), std::string::npos);
  EXPECT_TRUE(MakeSink("stdout"));
}

// Every line of the file is a whole JSON-ish line "{...}": no partial line, nothing glued.
void ExpectWholeLines(const std::string& text, size_t expected) {
  size_t lines = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    ++lines;
    EXPECT_EQ(line.front(), '{') << line;
    EXPECT_EQ(line.back(), '}') << line;
    EXPECT_EQ(std::count(line.begin(), line.end(), '{'), 1) << "two alerts glued: " << line;
  }
  EXPECT_EQ(lines, expected) << text;
  EXPECT_TRUE(text.empty() || text.back() == '\n');
}

// A file size limit (RLIMIT_FSIZE) fails a write the way a full disk does: part of the line is
// written, then the next write fails. The partial line must be cut off, and writing resumes
// once there is room.
TEST(FileSink, WritesWholeLinesOrNothingWhenTheDiskFills) {
  char tmpl[] = "/tmp/vigil-sink-test-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string path = dir + "/alerts.jsonl";
  FileSink sink(path);
  ASSERT_TRUE(sink.Open());
  const std::string alert = "{\"alert\":\"" + std::string(100, 'x') + "\"}";  // 113 bytes
  ASSERT_TRUE(sink.Write(alert, Severity::kHigh));
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  rlimit old_limit{};
  ::getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit small = old_limit;
  small.rlim_cur = 2 * alert.size() + 50;  // room for one more line and part of the next
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  Status second = sink.Write(alert, Severity::kHigh);
  Status third = sink.Write(alert, Severity::kHigh);
  Status fourth = sink.Write(alert, Severity::kHigh);
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(second);
  ASSERT_FALSE(third);
  EXPECT_NE(third.error().find("partial line was cut off"), std::string::npos) << third.error();
  EXPECT_FALSE(fourth);
  ExpectWholeLines(Slurp(path), 2);
  // Room again: the next alert starts on its own line.
  ASSERT_TRUE(sink.Write(alert, Severity::kHigh));
  ExpectWholeLines(Slurp(path), 3);
  fs::remove_all(dir);
}

TEST(FileSink, FullDeviceFailsWithoutWriting) {
  FileSink sink("/dev/full");
  ASSERT_TRUE(sink.Open());
  Status s = sink.Write("{\"a\":1}", Severity::kLow);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find(std::strerror(ENOSPC)), std::string::npos) << s.error();
}

TEST(AsyncSink, CountsFailuresOfAFullDevice) {
  auto made = MakeSink("file:/dev/full");
  ASSERT_TRUE(made) << made.error();
  AsyncSink sink(std::move(*made), 16);
  for (int i = 0; i < 5; ++i) sink.Push("{\"n\":1}");
  sink.Drain();
  EXPECT_EQ(sink.stats().failed_writes, 5u);
  EXPECT_EQ(sink.stats().written, 0u);
}

TEST(StdoutSink, ClosedReaderIsAFailureNotASignal) {
  auto old_handler = ::signal(SIGPIPE, SIG_IGN);  // as the agent does
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto stdout_sink = std::make_unique<StdoutSink>(fds[1]);
  StdoutSink* raw = stdout_sink.get();
  AsyncSink sink(std::move(stdout_sink), 16);
  sink.Push("{\"n\":1}");
  sink.Drain();
  char buf[64];
  EXPECT_EQ(::read(fds[0], buf, sizeof buf), 8);
  ::close(fds[0]);  // `head` exits
  for (int i = 0; i < 3; ++i) sink.Push("{\"n\":2}");
  sink.Stop();
  ::close(fds[1]);
  ::signal(SIGPIPE, old_handler);
  EXPECT_TRUE(raw->closed());
  EXPECT_EQ(sink.stats().written, 1u);
  EXPECT_EQ(sink.stats().failed_writes, 3u);
}

// A datagram socket standing for syslogd's /dev/log.
class FakeSyslog {
 public:
  explicit FakeSyslog(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~FakeSyslog() { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    ::unlink(path_.c_str());
  }
  bool bound() const { return bound_; }
  std::string Receive() {
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

TEST(SyslogSink, SendsOneDatagramPerAlertWithThePriorityOfItsSeverity) {
  char tmpl[] = "/tmp/vigil-sink-test-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  FakeSyslog daemon(dir + "/log");
  ASSERT_TRUE(daemon.bound());
  auto made = MakeSink("syslog:" + dir + "/log");
  ASSERT_TRUE(made) << made.error();
  EXPECT_EQ((*made)->Name(), "syslog:" + dir + "/log");
  ASSERT_TRUE((*made)->Write("{\"rule\":\"a\"}", Severity::kCritical));
  ASSERT_TRUE((*made)->Write("{\"rule\":\"b\"}", Severity::kInfo));
  const std::string first = daemon.Receive(), second = daemon.Receive();
  EXPECT_EQ(first.rfind("<" + std::to_string(LOG_AUTHPRIV | LOG_CRIT) + ">", 0), 0u) << first;
  EXPECT_EQ(second.rfind("<" + std::to_string(LOG_AUTHPRIV | LOG_INFO) + ">", 0), 0u) << second;
  EXPECT_NE(first.find(" vigil[" + std::to_string(::getpid()) + "]: {\"rule\":\"a\"}"),
            std::string::npos)
      << first;
  EXPECT_EQ(SyslogPriority(Severity::kLow), LOG_AUTHPRIV | LOG_NOTICE);
  EXPECT_EQ(SyslogPriority(Severity::kMedium), LOG_AUTHPRIV | LOG_WARNING);
  EXPECT_EQ(SyslogPriority(Severity::kHigh), LOG_AUTHPRIV | LOG_ERR);
  fs::remove_all(dir);
}

TEST(SyslogSink, CountsAlertsNoDaemonReceivedAndReconnects) {
  char tmpl[] = "/tmp/vigil-sink-test-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  const std::string path = dir + "/log";
  auto made = MakeSink("syslog:" + path);  // no daemon yet: still a valid output
  ASSERT_TRUE(made) << made.error();
  AsyncSink sink(std::move(*made), 16);
  for (int i = 0; i < 5; ++i) sink.Push("{\"n\":1}", Severity::kHigh);
  sink.Drain();
  EXPECT_EQ(sink.stats().failed_writes, 5u);
  EXPECT_EQ(sink.stats().written, 0u);
  {
    FakeSyslog daemon(path);  // the daemon starts
    ASSERT_TRUE(daemon.bound());
    sink.Push("{\"n\":2}", Severity::kHigh);
    sink.Drain();
    EXPECT_EQ(sink.stats().written, 1u);
    EXPECT_NE(daemon.Receive().find("{\"n\":2}"), std::string::npos);
  }  // and goes away again
  sink.Push("{\"n\":3}", Severity::kHigh);
  sink.Stop();
  EXPECT_EQ(sink.stats().failed_writes, 6u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigil::output
