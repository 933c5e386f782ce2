// One agent per control socket: `vigil run` holds an exclusive flock(2) on `SOCKET.lock` for
// its whole life, with its pid written in the file. A second agent on the same socket refuses
// to start and names the pid of the running one. The kernel drops a flock when its holder
// dies, so a lock file left by a crashed or killed agent never blocks the next one.
#pragma once

#include <string>

#include "util/result.h"

namespace vigil::agent {

class InstanceLock {
 public:
  // Takes the lock at `path` (its folder is created, mode 0700, if missing) and writes our pid
  // into it; an error naming the holder's pid when another live process holds it.
  static Result<InstanceLock> Acquire(const std::string& path);
  InstanceLock(InstanceLock&& other) noexcept;
  InstanceLock& operator=(InstanceLock&& other) noexcept;
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;
  ~InstanceLock();

  const std::string& path() const { return path_; }

 private:
  InstanceLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

// The lock file of a control socket: "SOCKET.lock".
inline std::string InstanceLockPath(const std::string& control_socket) {
  return control_socket + ".lock";
}

}  // namespace vigil::agent
