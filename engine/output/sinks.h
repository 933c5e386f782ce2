// Where alerts go: stdout, an append-only file (reopened on request for log rotation) or
// syslog. AsyncSink puts a bounded queue and a writer thread in front of any sink so that a
// slow or failing sink never blocks the event readers: what does not fit is counted.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "util/result.h"

namespace vigil::output {

// One alert per call, as a complete line without its trailing newline.
class Sink {
 public:
  virtual ~Sink() = default;
  // Returns false when the line could not be written (the caller counts it).
  virtual bool Write(const std::string& line) = 0;
  virtual void Flush() {}
  // Asks the sink to reopen its destination before the next write (log rotation).
  virtual void RequestReopen() {}
  virtual std::string Name() const = 0;
};

class StdoutSink : public Sink {
 public:
  bool Write(const std::string& line) override;
  void Flush() override;
  std::string Name() const override { return "stdout"; }
};

// Appends to a file; RequestReopen() (wired to SIGUSR2) makes the next write reopen the path,
// so that logrotate can move the old file away.
class FileSink : public Sink {
 public:
  explicit FileSink(std::string path);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  // Opens the file.
  Status Open();
  bool Write(const std::string& line) override;
  void Flush() override {}
  void RequestReopen() override { reopen_.store(true); }
  std::string Name() const override { return "file:" + path_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::atomic<bool> reopen_{false};
};

class SyslogSink : public Sink {
 public:
  SyslogSink();
  ~SyslogSink() override;
  bool Write(const std::string& line) override;
  std::string Name() const override { return "syslog"; }
};

// Parses a --output value: "stdout", "file:PATH" or "syslog"; an error for anything else or
// a file that cannot be opened.
Result<std::unique_ptr<Sink>> MakeSink(const std::string& spec);

struct SinkStats {
  uint64_t written = 0;
  uint64_t dropped_queue_full = 0;  // the queue was full: the sink is slower than the alerts
  uint64_t failed_writes = 0;       // the sink reported an error
};

class AsyncSink {
 public:
  AsyncSink(std::unique_ptr<Sink> sink, size_t capacity);
  ~AsyncSink();
  AsyncSink(const AsyncSink&) = delete;
  AsyncSink& operator=(const AsyncSink&) = delete;

  // Never blocks: returns false (and counts) when the queue is full.
  bool Push(std::string line);
  // Waits until everything queued so far is written (or failed).
  void Drain();
  // Drains, then stops the writer thread.
  void Stop();
  void RequestReopen() { sink_->RequestReopen(); }
  SinkStats stats() const;
  std::string Name() const { return sink_->Name(); }

 private:
  void Run();

  std::unique_ptr<Sink> sink_;
  size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::string> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::atomic<uint64_t> written_{0}, dropped_{0}, failed_{0};
  std::thread thread_;
};

}  // namespace vigil::output
