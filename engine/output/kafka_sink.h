// Kafka output through librdkafka (loaded when the first Kafka output is made,
// output/rdkafka_library.h, not linked): each alert is one message on a topic, keyed by the host
// name or the alert's container (so that one host's or one container's alerts stay in order on one
// partition), with the acks and compression asked for and any further producer properties
// (TLS, SASL) from a file. Write only hands the message to librdkafka's producer queue, which
// keeps it (message.timeout.ms=0: no expiry) and resends it until a broker acknowledges it, so
// nothing is lost while the brokers are down and come back within the queue's bound
// (queue.buffering.max.messages = the sink queue). When that queue is full, Write waits for room,
// and the AsyncSink queue in front holds what comes meanwhile; past both, alerts are counted as
// dropped. Delivery reports decide what counts as written or failed (Sink::Delivery).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "output/sinks.h"
#include "util/result.h"

namespace vigil::output {

enum class KafkaKey { kHost, kContainer, kNone };

struct KafkaOptions {
  std::string brokers;  // bootstrap.servers: host:port[,host:port...]
  std::string topic;
  KafkaKey key = KafkaKey::kHost;
  std::string acks = "all";          // all, 1 or 0 (-1 = all)
  std::string compression = "none";  // none, gzip, snappy, lz4, zstd
  // librdkafka properties, one `name=value` a line (# comments): security.protocol, ssl.*,
  // sasl.*, and any other producer property. Read at start; the flags above win over it.
  std::string properties_file;
  size_t queue = 0;  // messages librdkafka holds at most (queue.buffering.max.messages; 0: 65536)
  std::string hostname;  // the key for KafkaKey::kHost, and for host processes with kContainer
  // The librdkafka loaded (dlopen) when the first Kafka output is made; tests name a missing one.
  std::string library = "librdkafka.so.1";
};

struct RdKafkaLibrary;

// "host", "container" or "none".
Result<KafkaKey> ParseKafkaKey(const std::string& text);

// The properties of a file as (name, value) pairs; errors name the file and line.
Result<std::vector<std::pair<std::string, std::string>>> ReadKafkaProperties(
    const std::string& path);

class KafkaSink : public Sink {
 public:
  static Result<std::unique_ptr<KafkaSink>> Make(KafkaOptions options);
  ~KafkaSink() override;
  KafkaSink(const KafkaSink&) = delete;
  KafkaSink& operator=(const KafkaSink&) = delete;

  Status Write(const std::string& line, Severity severity) override;
  Status WriteAlert(const std::string& line, Severity severity,
                    const std::string& container_id) override;
  void Cancel() override { cancelled_.store(true); }
  // Waits up to `grace` for the in-flight messages; what is still not acknowledged then is
  // purged and counted as failed.
  void Finish(std::chrono::milliseconds grace) override;
  std::optional<DeliveryCounters> Delivery() const override;
  std::string Name() const override { return "kafka:" + options_.topic; }

 private:
  explicit KafkaSink(KafkaOptions options);
  static void OnDelivery(void* rk, const void* message, void* opaque);
  static void OnError(void* rk, int err, const char* reason, void* opaque);
  void LogRateLimited(const std::string& what);
  void Poll();  // serves delivery reports and errors (poller thread)

  KafkaOptions options_;
  const RdKafkaLibrary* lib_ = nullptr;  // loaded for the process's life
  void* rk_ = nullptr;                   // rd_kafka_t*
  void* rkt_ = nullptr;                  // rd_kafka_topic_t*
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> stop_poll_{false};
  std::atomic<uint64_t> produced_{0}, delivered_{0}, failed_{0};
  std::mutex log_mu_;
  // Under log_mu_: failures logged at most every AsyncSink::kFailureLogInterval.
  std::chrono::steady_clock::time_point last_log_{};
  uint64_t unlogged_ = 0;
  std::thread poller_;
};

}  // namespace vigil::output
