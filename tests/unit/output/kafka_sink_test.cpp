// The Kafka output against librdkafka's mock cluster (rdkafka_mock.h: real Kafka protocol on
// loopback, in this process), read back with kcat as an independent client: every alert is one
// message with its key; while the broker is down alerts wait in the producer queue and all of
// them are delivered when it comes back; past the queues' bound the overflow is counted;
// delivery reports decide written and failed.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "output/kafka_sink.h"

namespace vigil::output {
namespace {

// A one-broker mock cluster with a topic of one partition (one partition: one order to check).
class MockKafka {
 public:
  MockKafka() {
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    host_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    cluster_ = rd_kafka_mock_cluster_new(host_, 1);
    rd_kafka_mock_topic_create(cluster_, "alerts", 1, 1);
  }
  ~MockKafka() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(host_);
  }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  void SetDown() { rd_kafka_mock_broker_set_down(cluster_, 1); }
  void SetUp() { rd_kafka_mock_broker_set_up(cluster_, 1); }

 private:
  rd_kafka_t* host_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

// "KEY VALUE" per message of the topic, read by kcat from the beginning.
std::vector<std::string> ReadWithKcat(const std::string& brokers, const std::string& topic) {
  const std::string cmd =
      "kcat -q -b " + brokers + " -C -t " + topic + " -o beginning -e -f '%k %s\\n' 2>&1";
  std::vector<std::string> lines;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return lines;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) {
    std::string l(buf);
    if (!l.empty() && l.back() == '\n') l.pop_back();
    lines.push_back(l);
  }
  ::pclose(p);
  return lines;
}

bool HaveKcat() {
  return std::system("kcat -V >/dev/null 2>&1") == 0;
}

// Waits until `done` holds (a delivery report can take a few polls).
template <typename F>
bool WaitFor(F done, std::chrono::seconds limit = std::chrono::seconds(30)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

KafkaOptions Options(const MockKafka& kafka) {
  KafkaOptions o;
  o.brokers = kafka.bootstraps();
  o.topic = "alerts";
  o.hostname = "node-7";
  return o;
}

TEST(KafkaSink, DeliversKeyedMessagesReadBackByKcat) {
  ASSERT_TRUE(HaveKcat()) << "kcat is not installed (scripts/setup.sh installs it)";
  MockKafka kafka;
  KafkaOptions o = Options(kafka);
  o.key = KafkaKey::kContainer;
  auto sink = KafkaSink::Make(o);
  ASSERT_TRUE(sink) << sink.error();
  AsyncSink async(std::move(*sink), 100);
  async.Push("{\"n\":0}", Severity::kHigh, "");              // a host process: the host's name
  async.Push("{\"n\":1}", Severity::kHigh, "c0ffee12ab34");  // a container's alert
  ASSERT_TRUE(WaitFor([&] { return async.stats().written == 2; })) << async.stats().written;
  EXPECT_EQ(async.stats().in_flight, 0u);
  auto lines = ReadWithKcat(kafka.bootstraps(), "alerts");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "node-7 {\"n\":0}");
  EXPECT_EQ(lines[1], "c0ffee12ab34 {\"n\":1}");
}

// The broker goes down with alerts in flight and more coming; nothing is lost when it is back.
TEST(KafkaSink, NothingLostWhileTheBrokerIsDown) {
  ASSERT_TRUE(HaveKcat()) << "kcat is not installed (scripts/setup.sh installs it)";
  MockKafka kafka;
  auto sink = KafkaSink::Make(Options(kafka));
  ASSERT_TRUE(sink) << sink.error();
  AsyncSink async(std::move(*sink), 1000);
  for (int i = 0; i < 20; ++i) async.Push("{\"n\":" + std::to_string(i) + "}");
  ASSERT_TRUE(WaitFor([&] { return async.stats().written == 20; }));
  kafka.SetDown();
  for (int i = 20; i < 100; ++i) async.Push("{\"n\":" + std::to_string(i) + "}");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto down = async.stats();
  EXPECT_EQ(down.written, 20u);  // nothing acknowledged while it is down
  EXPECT_EQ(down.failed_writes, 0u);
  EXPECT_EQ(down.in_flight, 80u);
  kafka.SetUp();
  ASSERT_TRUE(WaitFor([&] { return async.stats().written == 100; }, std::chrono::seconds(60)))
      << async.stats().written;
  auto st = async.stats();
  EXPECT_EQ(st.failed_writes, 0u);
  EXPECT_EQ(st.dropped_queue_full, 0u);
  auto lines = ReadWithKcat(kafka.bootstraps(), "alerts");
  // At-least-once: a batch in flight when the broker went down may be sent twice; every alert is
  // there, each first copy in order.
  std::vector<int> firsts;
  std::vector<bool> seen(100, false);
  for (const auto& l : lines) {
    ASSERT_EQ(l.rfind("node-7 {\"n\":", 0), 0u) << l;
    int n = std::stoi(l.substr(12));
    if (!seen.at(n)) firsts.push_back(n);
    seen.at(n) = true;
  }
  ASSERT_EQ(firsts.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(firsts[i], i);
}

// Producer queue (5) and sink queue (5) full while the broker is down: the rest is counted as
// dropped; what was taken is delivered when the broker is back.
TEST(KafkaSink, OverflowPastBothQueuesIsCounted) {
  MockKafka kafka;
  kafka.SetDown();
  KafkaOptions o = Options(kafka);
  o.queue = 5;
  auto sink = KafkaSink::Make(o);
  ASSERT_TRUE(sink) << sink.error();
  AsyncSink async(std::move(*sink), 5);
  size_t accepted = 0;
  for (int i = 0; i < 40; ++i) {
    accepted += async.Push("{\"n\":" + std::to_string(i) + "}");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_LE(accepted, 11u);  // 5 in the producer, 5 queued, one waiting in Write
  EXPECT_GE(accepted, 10u);
  EXPECT_EQ(async.stats().dropped_queue_full, 40 - accepted);
  kafka.SetUp();
  ASSERT_TRUE(WaitFor([&] { return async.stats().written == accepted; }, std::chrono::seconds(60)))
      << async.stats().written << " of " << accepted;
  EXPECT_EQ(async.stats().failed_writes, 0u);
}

// Stopping while the broker stays down: after the grace time the rest is purged and failed.
TEST(KafkaSink, StopCountsUnacknowledgedAsFailed) {
  MockKafka kafka;
  kafka.SetDown();
  auto sink = KafkaSink::Make(Options(kafka));
  ASSERT_TRUE(sink) << sink.error();
  AsyncSink async(std::move(*sink), 100);
  for (int i = 0; i < 7; ++i) async.Push("{}");
  async.Stop(std::chrono::milliseconds(300));
  auto st = async.stats();
  EXPECT_EQ(st.written, 0u);
  EXPECT_EQ(st.failed_writes, 7u);
  EXPECT_EQ(st.in_flight, 0u);
}

TEST(KafkaSink, PropertiesFromAFile) {
  MockKafka kafka;
  char tmpl[] = "/tmp/vigil-kafka-props-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const std::string path = tmpl;
  std::ofstream(path) << "# TLS and SASL would go here\nclient.id = vigil-test\n\n";
  KafkaOptions o = Options(kafka);
  o.properties_file = path;
  EXPECT_TRUE(KafkaSink::Make(o));
  std::ofstream(path) << "client.id=x\nno.such.property=1\n";
  auto bad = KafkaSink::Make(o);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("no.such.property"), std::string::npos) << bad.error();
  std::ofstream(path) << "client.id x\n";
  auto malformed = KafkaSink::Make(o);
  ASSERT_FALSE(malformed);
  EXPECT_NE(malformed.error().find(path + ":1:"), std::string::npos) << malformed.error();
  ::unlink(path.c_str());
  EXPECT_FALSE(ParseKafkaKey("pod"));
  o.properties_file.clear();
  o.acks = "2";
  EXPECT_FALSE(KafkaSink::Make(o));
}

}  // namespace
}  // namespace vigil::output
