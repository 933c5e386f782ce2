// Where alerts go: stdout, an append-only file (reopened on request for log rotation) or
// syslog. AsyncSink puts a bounded queue and a writer thread in front of any sink so that a
// slow or failing sink never blocks the event readers: what does not fit is counted, and so
// is every alert a sink could not write; failures are logged, rate limited.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lang/ast.h"
#include "util/result.h"

namespace vigil::output {

using lang::ast::Severity;

// What a sink that confirms delivery later (Kafka) has confirmed so far; see Sink::Delivery.
struct DeliveryCounters {
  uint64_t delivered = 0;  // confirmed by the destination
  uint64_t failed = 0;     // given up on after they were accepted by Write
  uint64_t in_flight = 0;  // accepted by Write, not confirmed yet
};

// One alert per call, as a complete line without its trailing newline.
class Sink {
 public:
  virtual ~Sink() = default;
  // Writes the whole line or nothing; the error says why (the caller counts and logs it).
  virtual Status Write(const std::string& line, Severity severity) = 0;
  // Write, for sinks that key their messages by the alert's container (Kafka); `container_id`
  // is empty for a host process.
  virtual Status WriteAlert(const std::string& line, Severity severity,
                            const std::string& container_id) {
    (void)container_id;
    return Write(line, severity);
  }
  // Makes a Write that waits (retrying a destination that is down) give up soon, and every
  // later one fail at once: the agent is stopping and its grace time is over.
  virtual void Cancel() {}
  // Called once when the agent stops, after the last Write: a sink that delivers in the
  // background (Kafka) waits up to `grace` for it, then counts what is left as failed.
  virtual void Finish(std::chrono::milliseconds grace) { (void)grace; }
  // Attempts made again after a failure (webhook retries), for the stats.
  virtual uint64_t retries() const { return 0; }
  // For sinks whose Write only hands the alert over (Kafka's producer queue): what the
  // destination confirmed. Then an alert counts as written when it is confirmed, not when Write
  // returns. nullopt for sinks whose Write is the delivery.
  virtual std::optional<DeliveryCounters> Delivery() const { return std::nullopt; }
  virtual void Flush() {}
  // Asks the sink to reopen its destination before the next write (log rotation).
  virtual void RequestReopen() {}
  // True once the destination is gone for good (stdout's reader exited): every later alert
  // fails at once, and the failure is logged only once.
  virtual bool closed() const { return false; }
  virtual std::string Name() const = 0;
};

// Writes each alert with one write(2) on `fd` (1 by default). When the reader of a pipe goes
// away (`vigil run | head`), the write fails with EPIPE (the agent ignores SIGPIPE): the sink
// is then closed, and its alerts are counted as failed from then on.
class StdoutSink : public Sink {
 public:
  explicit StdoutSink(int fd = 1) : fd_(fd) {}
  Status Write(const std::string& line, Severity severity) override;
  bool closed() const override { return closed_; }
  std::string Name() const override { return "stdout"; }

 private:
  int fd_;
  bool closed_ = false;
  std::string buf_;
};

// Appends to a file, whole lines only: when a write stops part way (a full disk, a file size
// limit), the part already written is cut off again (ftruncate), so the file never holds a
// partial line and the next alert starts on a line of its own. The alert counts as failed;
// once there is room again, writing resumes. RequestReopen() (wired to SIGUSR2) makes the next
// write reopen the path, so that logrotate can move the old file away.
class FileSink : public Sink {
 public:
  explicit FileSink(std::string path);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  // Opens the file.
  Status Open();
  Status Write(const std::string& line, Severity severity) override;
  void RequestReopen() override { reopen_.store(true); }
  std::string Name() const override { return "file:" + path_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::atomic<bool> reopen_{false};
  std::string buf_;
  // A cut that failed: the file must be truncated to this size before the next write.
  int64_t cut_to_ = -1;
};

// Sends each alert as one datagram to the local syslog socket (/dev/log, or `socket_path`),
// in the RFC 3164 form glibc's syslog(3) uses, facility authpriv, with the priority from the
// rule's severity (SyslogPriority). Unlike syslog(3), a message that cannot be delivered (no
// syslog daemon, socket gone, queue full) is a failed write; the sink reconnects on the next
// alert, so a restarted daemon is picked up.
class SyslogSink : public Sink {
 public:
  explicit SyslogSink(std::string socket_path = kDefaultSocket);
  ~SyslogSink() override;
  SyslogSink(const SyslogSink&) = delete;
  SyslogSink& operator=(const SyslogSink&) = delete;
  Status Write(const std::string& line, Severity severity) override;
  std::string Name() const override {
    return socket_path_ == kDefaultSocket ? "syslog" : "syslog:" + socket_path_;
  }

  static constexpr const char* kDefaultSocket = "/dev/log";

 private:
  Status Connect();
  void Disconnect();

  std::string socket_path_;
  int fd_ = -1;
  std::string message_;
};

// LOG_AUTHPRIV | the level of `severity`: info -> LOG_INFO, low -> LOG_NOTICE, medium ->
// LOG_WARNING, high -> LOG_ERR, critical -> LOG_CRIT.
int SyslogPriority(Severity severity);

// Parses a --output value: "stdout", "file:PATH", "syslog" or "syslog:SOCKET"; an error for
// anything else or a file that cannot be opened.
Result<std::unique_ptr<Sink>> MakeSink(const std::string& spec);

struct SinkStats {
  uint64_t written = 0;             // delivered (for Kafka: confirmed by a delivery report)
  uint64_t dropped_queue_full = 0;  // the queue was full: the sink is slower than the alerts
  uint64_t failed_writes = 0;       // the sink reported an error (or a failed delivery report)
  uint64_t retries = 0;             // attempts made again after a failure (webhook)
  uint64_t queued = 0;              // waiting in the queue now
  uint64_t in_flight = 0;           // handed to the destination, not confirmed yet (Kafka)
  bool writable = true;             // the last write succeeded (or none was tried yet)
};

class AsyncSink {
 public:
  AsyncSink(std::unique_ptr<Sink> sink, size_t capacity);
  ~AsyncSink();
  AsyncSink(const AsyncSink&) = delete;
  AsyncSink& operator=(const AsyncSink&) = delete;

  // Never blocks: returns false (and counts) when the queue is full.
  bool Push(std::string line, Severity severity = Severity::kMedium, std::string container_id = {});
  // Waits until everything queued so far is written (or failed).
  void Drain();
  // Waits at most `timeout`; true when everything was written (or failed).
  bool DrainFor(std::chrono::milliseconds timeout);
  // Drains (at most `grace`: then the sink is cancelled, and what is left counts as failed),
  // then stops the writer thread.
  void Stop(std::chrono::milliseconds grace = kStopGrace);
  void RequestReopen() { sink_->RequestReopen(); }
  SinkStats stats() const;
  std::string Name() const { return sink_->Name(); }

  // Failures are logged at most this often (the count of those in between goes with the next).
  static constexpr std::chrono::seconds kFailureLogInterval{10};
  // How long Stop waits for a destination that is down before giving up on the queue (and
  // again for what a sink delivers in the background, Sink::Finish).
  static constexpr std::chrono::milliseconds kStopGrace{5000};

 private:
  struct Item {
    std::string line;
    Severity severity;
    std::string container_id;
  };
  void Run();
  void Report(const Status& result);  // logs failures (rate limited) and the recovery

  std::unique_ptr<Sink> sink_;
  size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Item> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::atomic<uint64_t> written_{0}, dropped_{0}, failed_{0};
  std::atomic<bool> last_write_failed_{false};
  // Writer thread only.
  uint64_t failing_since_ok_ = 0;  // failures since the last successful write
  uint64_t unlogged_failures_ = 0;
  std::chrono::steady_clock::time_point last_failure_log_{};
  bool closed_logged_ = false;
  std::thread thread_;
};

}  // namespace vigil::output
