// The part the control socket and the metrics endpoint share: a listening socket served by one
// thread, and the pipe that wakes the thread so that Stop() can join it. The owner creates and
// binds the socket; its serve loop polls wake_fd() beside the socket and returns when it is
// readable (or when running() turns false).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "util/result.h"

namespace vigil::agent {

class ServerThread {
 public:
  ServerThread() = default;
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;
  ~ServerThread() { Stop(); }

  // Takes ownership of `listen_fd` (closed by Stop, also when Start fails later) and runs `serve`.
  void Adopt(int listen_fd) { listen_fd_ = listen_fd; }
  Status Start(std::function<void()> serve) {
    if (::pipe2(wake_fds_, O_CLOEXEC | O_NONBLOCK) != 0)
      return Error{std::string("pipe: ") + std::strerror(errno)};
    running_ = true;
    thread_ = std::thread(std::move(serve));
    return OkStatus();
  }
  // Wakes and joins the thread, then closes the socket and the pipe. True when it was running.
  bool Stop() {
    const bool was = running_.exchange(false);
    if (was) {
      char b = 1;
      [[maybe_unused]] ssize_t n = ::write(wake_fds_[1], &b, 1);
      thread_.join();
    }
    for (int* fd : {&listen_fd_, &wake_fds_[0], &wake_fds_[1]}) {
      if (*fd >= 0) ::close(*fd);
      *fd = -1;
    }
    return was;
  }

  int listen_fd() const { return listen_fd_; }
  int wake_fd() const { return wake_fds_[0]; }
  bool running() const { return running_; }

 private:
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace vigil::agent
