#include "proctree/procfs_read.h"

#include "util/unique_fd.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace vigil::proctree {
namespace {

using Fd = UniqueFd;

// Reads what is left of an open file, up to max_bytes.
FileText ReadAll(const Fd& fd, size_t max_bytes) {
  FileText out;
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

}  // namespace

FileText ReadSmallFile(const std::string& path, size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return FileText{{}, errno};
  return ReadAll(fd, max_bytes);
}

FileText ReadSmallFileInRoot(const std::string& root, const std::string& path, size_t max_bytes) {
  Fd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return FileText{{}, errno};
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const std::string relative = path.substr(
      path.find_first_not_of('/') == std::string::npos ? path.size() : path.find_first_not_of('/'));
  long fd = ::syscall(SYS_openat2, dir.get(), relative.c_str(), &how, sizeof how);
  if (fd < 0) return FileText{{}, errno};
  Fd file(static_cast<int>(fd));
  struct stat st;
  if (::fstat(file.get(), &st) != 0) return FileText{{}, errno};
  if (!S_ISREG(st.st_mode)) return FileText{{}, EINVAL};  // a FIFO or device would block or lie
  return ReadAll(file, max_bytes);
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
