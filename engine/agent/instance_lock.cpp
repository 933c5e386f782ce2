#include "agent/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace vigil::agent {
namespace {

// The pid the holder wrote, or "" when the file holds none (it is still being written).
std::string ReadHolder(int fd) {
  char buf[32] = {};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

}  // namespace

Result<InstanceLock> InstanceLock::Acquire(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(path).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    if (fs::create_directories(dir, ec)) ::chmod(dir.c_str(), 0700);
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Error{"cannot open the agent lock " + path + ": " + std::strerror(errno)};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    std::string holder = ReadHolder(fd);
    ::close(fd);
    if (err != EWOULDBLOCK) return Error{"cannot lock " + path + ": " + std::strerror(err)};
    return Error{"another vigil agent" +
                 (holder.empty() ? std::string() : " (pid " + holder + ")") +
                 " is running with this control socket (it holds " + path +
                 "); stop it first, or give this one another --control-socket"};
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int err = errno;
    ::close(fd);
    return Error{"cannot write the agent lock " + path + ": " + std::strerror(err)};
  }
  return InstanceLock(path, fd);
}

InstanceLock::InstanceLock(InstanceLock&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

InstanceLock& InstanceLock::operator=(InstanceLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

InstanceLock::~InstanceLock() {
  // The file stays: unlinking it would race with an agent starting now (it could lock the
  // unlinked inode while a third locks a new file). Closing drops the lock.
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace vigil::agent
