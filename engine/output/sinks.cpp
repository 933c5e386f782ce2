#include "output/sinks.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace vigil::output {
namespace {

std::string ErrnoText(int err) {
  return std::strerror(err);
}

}  // namespace

Status StdoutSink::Write(const std::string& line, Severity) {
  if (closed_) return Error{"stdout is closed"};
  buf_.assign(line);
  buf_ += '\n';
  size_t off = 0;
  while (off < buf_.size()) {
    ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      if (err == EPIPE) {
        closed_ = true;
        return Error{
            "stdout was closed by its reader (EPIPE): alerts for stdout are counted as "
            "failed from now on"};
      }
      return Error{"stdout: " + ErrnoText(err)};
    }
    off += static_cast<size_t>(n);
  }
  return OkStatus();
}

FileSink::FileSink(std::string path) : path_(std::move(path)) {}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileSink::Open() {
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Error{path_ + ": " + ErrnoText(errno)};
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  cut_to_ = -1;
  return OkStatus();
}

Status FileSink::Write(const std::string& line, Severity) {
  if (reopen_.exchange(false) || fd_ < 0) {
    if (auto opened = Open(); !opened) return opened;
  }
  if (cut_to_ >= 0) {
    // An earlier partial line could not be cut off: nothing is appended behind it.
    if (::ftruncate(fd_, cut_to_) != 0)
      return Error{path_ + ": cannot remove a partial line: " + ErrnoText(errno)};
    cut_to_ = -1;
  }
  buf_.assign(line);
  buf_ += '\n';
  size_t off = 0;
  while (off < buf_.size()) {
    ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    const int err = n < 0 ? errno : ENOSPC;
    if (off == 0) return Error{path_ + ": " + ErrnoText(err)};
    // Part of the line is in the file. With O_APPEND the offset is the end of what we wrote,
    // so the line started `off` bytes before it.
    const off_t end = ::lseek(fd_, 0, SEEK_CUR);
    const off_t start = end >= static_cast<off_t>(off) ? end - static_cast<off_t>(off) : -1;
    if (start < 0 || ::ftruncate(fd_, start) != 0) {
      cut_to_ = start;
      return Error{path_ + ": " + ErrnoText(err) + "; the partial line could not be cut off yet"};
    }
    return Error{path_ + ": " + ErrnoText(err) + " (the partial line was cut off)"};
  }
  return OkStatus();
}

int SyslogPriority(Severity severity) {
  int level = LOG_WARNING;
  switch (severity) {
    case Severity::kInfo:
      level = LOG_INFO;
      break;
    case Severity::kLow:
      level = LOG_NOTICE;
      break;
    case Severity::kMedium:
      level = LOG_WARNING;
      break;
    case Severity::kHigh:
      level = LOG_ERR;
      break;
    case Severity::kCritical:
      level = LOG_CRIT;
      break;
  }
  return LOG_AUTHPRIV | level;
}

SyslogSink::SyslogSink(std::string socket_path) : socket_path_(std::move(socket_path)) {}

SyslogSink::~SyslogSink() {
  Disconnect();
}

void SyslogSink::Disconnect() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status SyslogSink::Connect() {
  Disconnect();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof addr.sun_path)
    return Error{"syslog socket path too long: " + socket_path_};
  std::memcpy(addr.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{"syslog: socket: " + ErrnoText(errno)};
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd);
    return Error{"syslog: cannot connect to " + socket_path_ + ": " + ErrnoText(err) +
                 (err == EPROTOTYPE ? " (not a datagram socket)" : "")};
  }
  fd_ = fd;
  return OkStatus();
}

Status SyslogSink::Write(const std::string& line, Severity severity) {
  // "<PRI>Mmm dd hh:mm:ss vigil[PID]: MESSAGE", local time, as syslog(3) sends it locally.
  char stamp[32] = "";
  const time_t now = ::time(nullptr);
  tm local{};
  if (::localtime_r(&now, &local)) std::strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &local);
  message_ = "<" + std::to_string(SyslogPriority(severity)) + ">" + stamp + " vigil[" +
             std::to_string(::getpid()) + "]: ";
  message_ += line;
  // One reconnect per alert: the daemon may have restarted (a new socket at the same path).
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0) {
      if (auto connected = Connect(); !connected) return connected;
    }
    ssize_t n;
    do {
      n = ::send(fd_, message_.data(), message_.size(), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(message_.size())) return OkStatus();
    const int err = n < 0 ? errno : EMSGSIZE;
    if (err == EMSGSIZE || err == ENOBUFS || err == EAGAIN)
      return Error{"syslog: cannot send to " + socket_path_ + ": " + ErrnoText(err)};
    Disconnect();
    if (attempt == 1)
      return Error{"syslog: cannot send to " + socket_path_ + ": " + ErrnoText(err)};
  }
  return Error{"syslog: unreachable"};
}

Result<std::unique_ptr<Sink>> MakeSink(const std::string& spec) {
  if (spec == "stdout") return std::unique_ptr<Sink>(std::make_unique<StdoutSink>());
  if (spec == "syslog") return std::unique_ptr<Sink>(std::make_unique<SyslogSink>());
  if (spec.rfind("syslog:", 0) == 0 && spec.size() > 7)
    return std::unique_ptr<Sink>(std::make_unique<SyslogSink>(spec.substr(7)));
  if (spec.rfind("file:", 0) == 0 && spec.size() > 5) {
    auto sink = std::make_unique<FileSink>(spec.substr(5));
    if (auto opened = sink->Open(); !opened) return Error{"cannot open output " + opened.error()};
    return std::unique_ptr<Sink>(std::move(sink));
  }
  return Error{"unknown output '" + spec + "': use stdout, file:PATH, syslog or syslog:SOCKET"};
}

AsyncSink::AsyncSink(std::unique_ptr<Sink> sink, size_t capacity)
    : sink_(std::move(sink)), capacity_(capacity ? capacity : 1), thread_([this] { Run(); }) {}

AsyncSink::~AsyncSink() {
  Stop();
}

bool AsyncSink::Push(std::string line, Severity severity, std::string container_id) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= capacity_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(Item{std::move(line), severity, std::move(container_id)});
  }
  wake_.notify_one();
  return true;
}

void AsyncSink::Drain() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

bool AsyncSink::DrainFor(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
}

void AsyncSink::Stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
  }
  if (!DrainFor(grace)) {
    size_t left = 0;
    {
      std::lock_guard lock(mu_);
      left = queue_.size() + (busy_ ? 1 : 0);
    }
    spdlog::warn("output {}: still {} alerts to write after {} ms; giving up on them",
                 sink_->Name(), left, grace.count());
    sink_->Cancel();
    Drain();
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  sink_->Flush();
  sink_->Finish(grace);
  if (unlogged_failures_ > 0)
    spdlog::warn("output {}: {} more alerts failed", sink_->Name(), unlogged_failures_);
  unlogged_failures_ = 0;
}

SinkStats AsyncSink::stats() const {
  SinkStats st{written_.load(), dropped_.load(), failed_.load()};
  st.retries = sink_->retries();
  {
    std::lock_guard lock(mu_);
    st.queued = queue_.size() + (busy_ ? 1 : 0);
  }
  st.writable = !last_write_failed_.load();
  if (auto d = sink_->Delivery()) {
    // Write only handed the alert over: written is what the destination confirmed.
    st.written = d->delivered;
    st.failed_writes += d->failed;
    st.in_flight = d->in_flight;
  }
  return st;
}

void AsyncSink::Report(const Status& result) {
  if (result) {
    if (failing_since_ok_ > 0 && !sink_->closed())
      spdlog::info("output {}: writing again after {} failed alerts", sink_->Name(),
                   failing_since_ok_);
    failing_since_ok_ = 0;
    return;
  }
  ++failing_since_ok_;
  if (sink_->closed()) {
    if (!closed_logged_) spdlog::warn("output {}: {}", sink_->Name(), result.error());
    closed_logged_ = true;
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (last_failure_log_ != std::chrono::steady_clock::time_point{} &&
      now - last_failure_log_ < kFailureLogInterval) {
    ++unlogged_failures_;
    return;
  }
  if (unlogged_failures_ > 0)
    spdlog::warn("output {}: alert not written: {} ({} more failed since the last message)",
                 sink_->Name(), result.error(), unlogged_failures_);
  else
    spdlog::warn("output {}: alert not written: {}", sink_->Name(), result.error());
  unlogged_failures_ = 0;
  last_failure_log_ = now;
}

void AsyncSink::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    Status ok = sink_->WriteAlert(item.line, item.severity, item.container_id);
    (ok ? written_ : failed_).fetch_add(1, std::memory_order_relaxed);
    last_write_failed_.store(!ok);
    Report(ok);
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
