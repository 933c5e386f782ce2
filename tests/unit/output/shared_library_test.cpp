// libcurl and librdkafka are loaded (dlopen) when a webhook or Kafka output is made: a missing
// library or function fails the output's creation with an error that names the library and the
// Debian package, never a crash; a library loads once per process, whichever threads ask.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "output/curl_library.h"
#include "output/kafka_sink.h"
#include "output/rdkafka_library.h"
#include "output/webhook_sink.h"

namespace vigil::output {
namespace {

// The error of an output made with a library that is not there: `what` cannot load `soname`
// (with dlopen's words), install `package`.
template <typename SinkResult>
void ExpectMissingLibrary(const SinkResult& sink, const std::string& what,
                          const std::string& soname, const std::string& package) {
  ASSERT_FALSE(sink);
  EXPECT_EQ(sink.error().rfind(what + ": cannot load " + soname + " (" + soname + ": ", 0), 0u)
      << sink.error();
  EXPECT_NE(sink.error().find("); install the Debian package " + package), std::string::npos)
      << sink.error();
}

TEST(SharedLibrary, AWebhookWithoutLibcurlSaysWhatToInstall) {
  WebhookOptions o;
  o.url = "http://127.0.0.1:9/alerts";
  o.library = "libcurl-vigil-missing.so.4";
  ExpectMissingLibrary(WebhookSink::Make(o), "webhook output", o.library, "libcurl4");
}

TEST(SharedLibrary, AKafkaOutputWithoutLibrdkafkaSaysWhatToInstall) {
  KafkaOptions o;
  o.brokers = "127.0.0.1:9092";
  o.topic = "alerts";
  o.library = "librdkafka-vigil-missing.so.1";
  ExpectMissingLibrary(KafkaSink::Make(o), "kafka output", o.library, "librdkafka1");
}

// A library that loads but lacks a function (here one that is not libcurl at all).
TEST(SharedLibrary, AMissingFunctionIsNamed) {
  auto curl = LoadCurl("libc.so.6");
  ASSERT_FALSE(curl);
  EXPECT_EQ(curl.error().rfind("libc.so.6 lacks the function curl_global_init (", 0), 0u)
      << curl.error();
  EXPECT_NE(curl.error().find("Debian package libcurl4"), std::string::npos) << curl.error();
  auto kafka = LoadRdKafka("libc.so.6");
  ASSERT_FALSE(kafka);
  EXPECT_EQ(kafka.error().rfind("libc.so.6 lacks the function rd_kafka_conf_new (", 0), 0u)
      << kafka.error();
}

// Every function resolved, and one table for the process however many threads ask at once.
TEST(SharedLibrary, LoadsOnceForAllThreads) {
  std::vector<const CurlLibrary*> curl(8, nullptr);
  std::vector<const RdKafkaLibrary*> kafka(8, nullptr);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < curl.size(); ++i)
    threads.emplace_back([&, i] {
      auto c = LoadCurl("libcurl.so.4");
      auto k = LoadRdKafka("librdkafka.so.1");
      if (c) curl[i] = *c;
      if (k) kafka[i] = *k;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<const CurlLibrary*>(curl.begin(), curl.end()).size(), 1u);
  EXPECT_EQ(std::set<const RdKafkaLibrary*>(kafka.begin(), kafka.end()).size(), 1u);
  ASSERT_NE(curl[0], nullptr);
  ASSERT_NE(kafka[0], nullptr);
  EXPECT_NE(curl[0]->curl_slist_free_all, nullptr);
  EXPECT_NE(kafka[0]->rd_kafka_err2name, nullptr);
  EXPECT_STREQ(kafka[0]->rd_kafka_err2name(RD_KAFKA_RESP_ERR__QUEUE_FULL), "_QUEUE_FULL");
}

}  // namespace
}  // namespace vigil::output
