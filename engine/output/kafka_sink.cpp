#include "output/kafka_sink.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <fstream>

#include "output/rdkafka_library.h"

namespace vigil::output {
namespace {

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") + 1 - b);
}

// librdkafka's log callback gets only the rd_kafka_t; its sink is the handle's opaque, read
// through the library that made the handle: the one librdkafka the process loaded.
std::atomic<const RdKafkaLibrary*> log_library{nullptr};

}  // namespace

Result<KafkaKey> ParseKafkaKey(const std::string& text) {
  if (text == "host") return KafkaKey::kHost;
  if (text == "container") return KafkaKey::kContainer;
  if (text == "none") return KafkaKey::kNone;
  return Error{"kafka key '" + text + "': use host, container or none"};
}

Result<std::vector<std::pair<std::string, std::string>>> ReadKafkaProperties(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"kafka properties " + path + ": cannot open"};
  std::vector<std::pair<std::string, std::string>> out;
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos || Trim(line.substr(0, eq)).empty())
      return Error{path + ":" + std::to_string(n) + ": write a property as name=value"};
    out.emplace_back(Trim(line.substr(0, eq)), Trim(line.substr(eq + 1)));
  }
  return out;
}

KafkaSink::KafkaSink(KafkaOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<KafkaSink>> KafkaSink::Make(KafkaOptions options) {
  if (options.brokers.empty()) return Error{"kafka output: give the brokers (--kafka-brokers)"};
  if (options.topic.empty()) return Error{"kafka output: give the topic (--kafka-topic)"};
  if (options.acks != "all" && options.acks != "-1" && options.acks != "1" && options.acks != "0")
    return Error{"kafka acks '" + options.acks + "': use all, 1 or 0"};
  std::vector<std::pair<std::string, std::string>> props;
  if (!options.properties_file.empty()) {
    auto read = ReadKafkaProperties(options.properties_file);
    if (!read) return Error{read.error()};
    props = std::move(*read);
  }
  // The file first, so that the flags win; then what this sink relies on.
  props.emplace_back("bootstrap.servers", options.brokers);
  props.emplace_back("acks", options.acks);
  props.emplace_back("compression.codec", options.compression);
  props.emplace_back("queue.buffering.max.messages",
                     std::to_string(options.queue ? options.queue : 65536));
  props.emplace_back("message.timeout.ms", "0");  // never expire: resend until acknowledged
  props.emplace_back("log_level", "3");           // errors only; the rest is in the counters

  auto loaded = LoadRdKafka(options.library);
  if (!loaded) return Error{"kafka output: " + loaded.error()};
  const RdKafkaLibrary& lib = **loaded;
  log_library.store(&lib);
  std::unique_ptr<KafkaSink> sink(new KafkaSink(std::move(options)));
  sink->lib_ = &lib;
  rd_kafka_conf_t* conf = lib.rd_kafka_conf_new();
  char err[512];
  for (const auto& [name, value] : props) {
    if (lib.rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof err) !=
        RD_KAFKA_CONF_OK) {
      lib.rd_kafka_conf_destroy(conf);
      return Error{"kafka property " + name + "=" + value + ": " + err};
    }
  }
  lib.rd_kafka_conf_set_opaque(conf, sink.get());
  lib.rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t* rk, const rd_kafka_message_t* m,
                                           void* opaque) { OnDelivery(rk, m, opaque); });
  lib.rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t* rk, int e, const char* reason, void* opaque) {
    OnError(rk, e, reason, opaque);
  });
  lib.rd_kafka_conf_set_log_cb(
      conf, [](const rd_kafka_t* rk, int, const char* fac, const char* buf) {
        if (auto* self = static_cast<KafkaSink*>(log_library.load()->rd_kafka_opaque(rk)))
          self->LogRateLimited(std::string(fac) + ": " + buf);
      });
  rd_kafka_t* rk = lib.rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    lib.rd_kafka_conf_destroy(conf);
    return Error{std::string("kafka producer: ") + err};
  }
  sink->rk_ = rk;
  sink->rkt_ = lib.rd_kafka_topic_new(rk, sink->options_.topic.c_str(), nullptr);
  if (!sink->rkt_)
    return Error{"kafka topic " + sink->options_.topic + ": " +
                 lib.rd_kafka_err2str(lib.rd_kafka_last_error())};
  sink->poller_ = std::thread([s = sink.get()] { s->Poll(); });
  return sink;
}

KafkaSink::~KafkaSink() {
  if (!rk_) return;
  Finish(std::chrono::milliseconds(0));
  stop_poll_.store(true);
  if (poller_.joinable()) poller_.join();
  if (rkt_) lib_->rd_kafka_topic_destroy(static_cast<rd_kafka_topic_t*>(rkt_));
  lib_->rd_kafka_destroy(static_cast<rd_kafka_t*>(rk_));
}

void KafkaSink::Poll() {
  while (!stop_poll_.load()) lib_->rd_kafka_poll(static_cast<rd_kafka_t*>(rk_), 100);
}

void KafkaSink::OnDelivery(void*, const void* message, void* opaque) {
  auto* self = static_cast<KafkaSink*>(opaque);
  const auto* m = static_cast<const rd_kafka_message_t*>(message);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->delivered_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  self->failed_.fetch_add(1, std::memory_order_relaxed);
  self->LogRateLimited(std::string("alert not delivered: ") + self->lib_->rd_kafka_err2str(m->err));
}

void KafkaSink::OnError(void*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaSink*>(opaque);
  self->LogRateLimited(
      std::string(self->lib_->rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))) + ": " +
      reason + " (alerts wait in the producer queue)");
}

void KafkaSink::LogRateLimited(const std::string& what) {
  // Called from librdkafka's threads and the poller: one message per interval, with a count of
  // those in between.
  std::lock_guard lock(log_mu_);
  const auto now = std::chrono::steady_clock::now();
  if (last_log_ != std::chrono::steady_clock::time_point{} &&
      now - last_log_ < AsyncSink::kFailureLogInterval) {
    ++unlogged_;
    return;
  }
  if (unlogged_ > 0)
    spdlog::warn("output {}: {} ({} more messages since the last)", Name(), what, unlogged_);
  else
    spdlog::warn("output {}: {}", Name(), what);
  unlogged_ = 0;
  last_log_ = now;
}

Status KafkaSink::Write(const std::string& line, Severity severity) {
  return WriteAlert(line, severity, "");
}

Status KafkaSink::WriteAlert(const std::string& line, Severity, const std::string& container_id) {
  const std::string* key = nullptr;
  switch (options_.key) {
    case KafkaKey::kHost:
      key = &options_.hostname;
      break;
    case KafkaKey::kContainer:
      key = container_id.empty() ? &options_.hostname : &container_id;
      break;
    case KafkaKey::kNone:
      break;
  }
  auto* rkt = static_cast<rd_kafka_topic_t*>(rkt_);
  for (;;) {
    if (cancelled_.load()) return Error{Name() + ": stopping, not sent"};
    const int rc = lib_->rd_kafka_produce(
        rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, const_cast<char*>(line.data()),
        line.size(), key ? key->data() : nullptr, key ? key->size() : 0, nullptr);
    if (rc == 0) {
      produced_.fetch_add(1, std::memory_order_relaxed);
      return OkStatus();
    }
    const rd_kafka_resp_err_t err = lib_->rd_kafka_last_error();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      return Error{Name() + ": " + lib_->rd_kafka_err2str(err)};
    // The producer queue is full (brokers down for long): wait for room; the AsyncSink queue
    // holds the alerts that come meanwhile.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void KafkaSink::Finish(std::chrono::milliseconds grace) {
  auto* rk = static_cast<rd_kafka_t*>(rk_);
  if (!rk || lib_->rd_kafka_outq_len(rk) == 0) return;
  lib_->rd_kafka_flush(rk, static_cast<int>(grace.count()));
  const auto in_flight = Delivery()->in_flight;
  if (in_flight == 0) return;
  spdlog::warn("output {}: {} alerts still not acknowledged after {} ms; giving up on them", Name(),
               in_flight, grace.count());
  // Purged messages get a delivery report with an error: they count as failed.
  lib_->rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  lib_->rd_kafka_flush(rk, 1000);
}

std::optional<DeliveryCounters> KafkaSink::Delivery() const {
  DeliveryCounters d;
  d.delivered = delivered_.load();
  d.failed = failed_.load();
  const uint64_t produced = produced_.load();
  d.in_flight = produced > d.delivered + d.failed ? produced - d.delivered - d.failed : 0;
  return d;
}

}  // namespace vigil::output
