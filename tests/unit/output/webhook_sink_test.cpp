// The webhook output against a real HTTP server on loopback (a small one in this test): the
// alert is POSTed with its headers; a server that is down or answers 503 is retried with
// backoff and nothing queued is lost when it comes back; a queue overflow is counted; an answer
// retrying cannot fix fails at once; stopping gives up on a destination that stays down.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "output/output_config.h"
#include "output/webhook_sink.h"

namespace vigil::output {
namespace {

struct Request {
  std::string head;  // request line and headers
  std::string body;
};

// Accepts one request per connection and answers it with the next status of `statuses` (200
// once they are used up).
class TestHttpServer {
 public:
  // port 0: any free port.
  explicit TestHttpServer(uint16_t port = 0, std::deque<int> statuses = {})
      : statuses_(std::move(statuses)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 64) != 0)
      throw std::runtime_error("cannot listen");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TestHttpServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  uint16_t port() const { return port_; }
  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) {
        if (stop_) return;
        continue;
      }
      std::string data;
      char buf[4096];
      size_t head_end = std::string::npos, want = 0;
      for (;;) {
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
        if (head_end == std::string::npos &&
            (head_end = data.find("\r\n\r\n")) != std::string::npos) {
          auto cl = data.find("Content-Length: ");
          want = cl == std::string::npos ? 0 : std::stoul(data.substr(cl + 16));
        }
        if (head_end != std::string::npos && data.size() >= head_end + 4 + want) break;
      }
      int status = 200;
      {
        std::lock_guard lock(mu_);
        if (!statuses_.empty()) {
          status = statuses_.front();
          statuses_.pop_front();
        }
        if (head_end != std::string::npos && status == 200)
          requests_.push_back({data.substr(0, head_end), data.substr(head_end + 4, want)});
      }
      std::string answer = "HTTP/1.1 " + std::to_string(status) +
                           " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!::write(c, answer.data(), answer.size());
      ::close(c);
    }
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::deque<int> statuses_;
  std::vector<Request> requests_;
  std::thread thread_;
};

// A loopback port nothing listens on (for a while: it was just free).
uint16_t FreePort() {
  TestHttpServer probe;
  return probe.port();
}

WebhookOptions Options(uint16_t port) {
  WebhookOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(port) + "/alerts";
  o.headers = {"Authorization: Bearer s3cret", "X-Vigil-Cluster: prod-eu"};
  o.backoff_min = std::chrono::milliseconds(10);
  o.backoff_max = std::chrono::milliseconds(40);
  o.timeout = std::chrono::milliseconds(2000);
  return o;
}

TEST(WebhookSink, PostsEachAlertWithItsHeaders) {
  TestHttpServer server;
  auto sink = WebhookSink::Make(Options(server.port()));
  ASSERT_TRUE(sink) << sink.error();
  EXPECT_EQ((*sink)->Name(),
            "webhook:http://127.0.0.1:" + std::to_string(server.port()) + "/alerts");
  AsyncSink async(std::move(*sink), 16);
  async.Push(R"({"rule":"a"})");
  async.Push(R"({"rule":"b"})");
  async.Drain();
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].body, R"({"rule":"a"})");
  EXPECT_EQ(reqs[1].body, R"({"rule":"b"})");
  EXPECT_EQ(reqs[0].head.rfind("POST /alerts HTTP/1.1", 0), 0u);
  EXPECT_NE(reqs[0].head.find("Authorization: Bearer s3cret"), std::string::npos);
  EXPECT_NE(reqs[0].head.find("X-Vigil-Cluster: prod-eu"), std::string::npos);
  EXPECT_NE(reqs[0].head.find("Content-Type: application/json"), std::string::npos);
  EXPECT_EQ(async.stats().written, 2u);
  EXPECT_EQ(async.stats().failed_writes, 0u);
}

TEST(WebhookSink, RetriesServerErrorsWithBackoff) {
  TestHttpServer server(0, {503, 503, 429});
  auto sink = WebhookSink::Make(Options(server.port()));
  ASSERT_TRUE(sink) << sink.error();
  AsyncSink async(std::move(*sink), 16);
  async.Push("{\"n\":1}");
  async.Drain();
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(async.stats().written, 1u);
  EXPECT_EQ(async.stats().retries, 3u);
}

TEST(WebhookSink, ClientErrorFailsAtOnce) {
  TestHttpServer server(0, {400});
  auto sink = WebhookSink::Make(Options(server.port()));
  ASSERT_TRUE(sink) << sink.error();
  AsyncSink async(std::move(*sink), 16);
  async.Push("{\"bad\":1}");
  async.Push("{\"good\":1}");
  async.Drain();
  EXPECT_EQ(async.stats().failed_writes, 1u);
  EXPECT_EQ(async.stats().written, 1u);
  EXPECT_EQ(async.stats().retries, 0u);
}

// The server is down while alerts come, then starts: every queued alert arrives, in order.
TEST(WebhookSink, NothingQueuedIsLostWhileTheServerIsDown) {
  const uint16_t port = FreePort();
  auto sink = WebhookSink::Make(Options(port));
  ASSERT_TRUE(sink) << sink.error();
  AsyncSink async(std::move(*sink), 100);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(async.Push("{\"n\":" + std::to_string(i) + "}"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // some retries while down
  EXPECT_EQ(async.stats().written, 0u);
  EXPECT_GT(async.stats().retries, 0u);
  TestHttpServer server(port);
  ASSERT_TRUE(async.DrainFor(std::chrono::seconds(20)));
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(reqs[i].body, "{\"n\":" + std::to_string(i) + "}");
  auto st = async.stats();
  EXPECT_EQ(st.written, 50u);
  EXPECT_EQ(st.failed_writes, 0u);
  EXPECT_EQ(st.dropped_queue_full, 0u);
}

// Past the queue's bound, alerts are dropped and counted; the ones queued still arrive.
TEST(WebhookSink, OverflowWhileDownIsCounted) {
  const uint16_t port = FreePort();
  auto sink = WebhookSink::Make(Options(port));
  ASSERT_TRUE(sink) << sink.error();
  AsyncSink async(std::move(*sink), 10);
  size_t accepted = 0;
  for (int i = 0; i < 40; ++i) accepted += async.Push("{\"n\":" + std::to_string(i) + "}");
  EXPECT_LE(accepted, 11u);  // the queue, plus the one being retried
  EXPECT_EQ(async.stats().dropped_queue_full, 40 - accepted);
  TestHttpServer server(port);
  ASSERT_TRUE(async.DrainFor(std::chrono::seconds(20)));
  EXPECT_EQ(server.requests().size(), accepted);
  EXPECT_EQ(async.stats().written, accepted);
}

// Stopping with the destination still down: after the grace time the queue is given up on,
// counted as failed, and Stop returns.
TEST(WebhookSink, StopGivesUpOnADeadDestination) {
  const uint16_t port = FreePort();
  auto sink = WebhookSink::Make(Options(port));
  ASSERT_TRUE(sink) << sink.error();
  AsyncSink async(std::move(*sink), 10);
  for (int i = 0; i < 5; ++i) async.Push("{}");
  const auto start = std::chrono::steady_clock::now();
  async.Stop(std::chrono::milliseconds(200));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(async.stats().failed_writes, 5u);
  EXPECT_EQ(async.stats().written, 0u);
}

TEST(WebhookSink, RefusesBadOptions) {
  WebhookOptions o = Options(1);
  o.url = "ftp://example.com/x";
  EXPECT_FALSE(WebhookSink::Make(o));
  o = Options(1);
  o.headers = {"No colon here"};
  EXPECT_FALSE(WebhookSink::Make(o));
  o.headers = {"X-Bad: a\r\nInjected: b"};
  EXPECT_FALSE(WebhookSink::Make(o));
  o = Options(1);
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_FALSE(WebhookSink::Make(o));
  EXPECT_EQ(WebhookDisplayName("https://user:pw@siem.example:8443/in?token=x"),
            "webhook:https://siem.example:8443/in");
}

TEST(MakeOutput, KnowsWebhookAndKafkaAndTheirFormats) {
  OutputConfig config;
  config.webhook_format = AlertFormat::kFalcosidekick;
  auto hook = MakeOutput("webhook:http://127.0.0.1:9/x", config);
  ASSERT_TRUE(hook) << hook.error();
  EXPECT_EQ(hook->format, AlertFormat::kFalcosidekick);
  auto kafka = MakeOutput("kafka", config);  // no brokers, no topic
  ASSERT_FALSE(kafka);
  EXPECT_NE(kafka.error().find("brokers"), std::string::npos);
  auto unknown = MakeOutput("mqtt:x", config);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("webhook:URL"), std::string::npos);
}

}  // namespace
}  // namespace vigil::output
