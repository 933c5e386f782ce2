#include "output/sinks.h"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vigil::output {
namespace {

bool WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

bool StdoutSink::Write(const std::string& line) {
  return std::fwrite(line.data(), 1, line.size(), stdout) == line.size() &&
         std::fputc('\n', stdout) != EOF;
}

void StdoutSink::Flush() {
  std::fflush(stdout);
}

FileSink::FileSink(std::string path) : path_(std::move(path)) {}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileSink::Open() {
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Error{path_ + ": " + std::strerror(errno)};
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  return OkStatus();
}

bool FileSink::Write(const std::string& line) {
  if (reopen_.exchange(false) || fd_ < 0) {
    if (!Open()) return false;
  }
  return WriteAll(fd_, line + "\n");
}

SyslogSink::SyslogSink() {
  ::openlog("vigil", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

SyslogSink::~SyslogSink() {
  ::closelog();
}

bool SyslogSink::Write(const std::string& line) {
  ::syslog(LOG_WARNING, "%s", line.c_str());
  return true;
}

Result<std::unique_ptr<Sink>> MakeSink(const std::string& spec) {
  if (spec == "stdout") return std::unique_ptr<Sink>(std::make_unique<StdoutSink>());
  if (spec == "syslog") return std::unique_ptr<Sink>(std::make_unique<SyslogSink>());
  if (spec.rfind("file:", 0) == 0 && spec.size() > 5) {
    auto sink = std::make_unique<FileSink>(spec.substr(5));
    if (auto opened = sink->Open(); !opened) return Error{"cannot open output " + opened.error()};
    return std::unique_ptr<Sink>(std::move(sink));
  }
  return Error{"unknown output '" + spec + "': use stdout, file:PATH or syslog"};
}

AsyncSink::AsyncSink(std::unique_ptr<Sink> sink, size_t capacity)
    : sink_(std::move(sink)), capacity_(capacity ? capacity : 1), thread_([this] { Run(); }) {}

AsyncSink::~AsyncSink() {
  Stop();
}

bool AsyncSink::Push(std::string line) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= capacity_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(std::move(line));
  }
  wake_.notify_one();
  return true;
}

void AsyncSink::Drain() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void AsyncSink::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
  }
  Drain();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  sink_->Flush();
}

SinkStats AsyncSink::stats() const {
  return SinkStats{written_.load(), dropped_.load(), failed_.load()};
}

void AsyncSink::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    std::string line = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    bool ok = sink_->Write(line);
    (ok ? written_ : failed_).fetch_add(1, std::memory_order_relaxed);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) {
      lock.unlock();
      sink_->Flush();
      lock.lock();
      idle_.notify_all();
    }
  }
}

}  // namespace vigil::output
