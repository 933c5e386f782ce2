#include "proctree/procfs_read.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace vigil::proctree {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

FileText ReadSmallFile(const std::string& path, size_t max_bytes) {
  FileText out;
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    out.err = errno;
    return out;
  }
  out.text.resize(max_bytes < 4096 ? max_bytes : 4096);
  size_t used = 0;
  while (used < max_bytes) {
    if (used == out.text.size()) out.text.resize(std::min(max_bytes, out.text.size() * 2));
    ssize_t n = ::read(fd.get(), out.text.data() + used, out.text.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      out.err = errno;
      out.text.clear();
      return out;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  out.text.resize(used);
  return out;
}

FileText ReadLink(const std::string& path) {
  FileText out;
  std::string buf(4096, '\0');
  ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
  if (n < 0) {
    out.err = errno;
    return out;
  }
  buf.resize(static_cast<size_t>(n));
  out.text = std::move(buf);
  return out;
}

bool IsVanished(int err) {
  return err == ENOENT || err == ESRCH;
}

}  // namespace vigil::proctree
