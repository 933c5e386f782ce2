#include "proctree/upper_layer.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "proctree/procfs_read.h"

namespace vigil::proctree {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
        s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
      out.push_back(
          static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t end = s.find(sep, pos);
    if (end == std::string_view::npos) end = s.size();
    out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

}  // namespace

std::string OverlayRootUpperDir(std::string_view mountinfo) {
  // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS"
  std::string upper;
  size_t pos = 0;
  while (pos < mountinfo.size()) {
    size_t end = mountinfo.find('\n', pos);
    if (end == std::string_view::npos) end = mountinfo.size();
    std::string_view line = mountinfo.substr(pos, end - pos);
    pos = end + 1;
    size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    std::vector<std::string_view> head = Split(line.substr(0, dash), ' ');
    std::vector<std::string_view> tail = Split(line.substr(dash + 3), ' ');
    if (head.size() < 6 || tail.size() < 3 || head[4] != "/") continue;
    // A later mount on "/" hides an earlier one: the last line wins.
    upper.clear();
    // The overlay itself, not a directory of one bind-mounted as the root (a container whose
    // root folder merely lies on a host whose own root is an overlay).
    if (tail[0] != "overlay" || head[3] != "/") continue;
    for (std::string_view option : Split(tail[2], ',')) {
      if (option.rfind("upperdir=", 0) == 0) upper = Unescape(option.substr(9));
    }
  }
  return upper;
}

std::optional<bool> ExistsInUpperDir(const std::string& upper, std::string_view path) {
  if (upper.empty() || path.empty() || path[0] != '/') return std::nullopt;
  int dir = ::open(upper.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return std::nullopt;
  open_how how{};
  how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const std::string relative(path.substr(path.find_first_not_of('/') == std::string_view::npos
                                             ? path.size()
                                             : path.find_first_not_of('/')));
  long fd = relative.empty() ? -1 : ::syscall(SYS_openat2, dir, relative.c_str(), &how, sizeof how);
  const int err = errno;
  ::close(dir);
  if (fd >= 0) {
    ::close(static_cast<int>(fd));
    return true;
  }
  if (relative.empty()) return std::nullopt;
  if (err == ENOENT || err == ENOTDIR) return false;
  return std::nullopt;
}

std::optional<bool> UpperLayers::ExeInUpperLayer(std::string_view container_id, uint32_t pid,
                                                 std::string_view exe) {
  auto it = upper_.find(std::string(container_id));
  if (it == upper_.end()) {
    FileText mountinfo =
        ReadSmallFile(proc_root_ + "/" + std::to_string(pid) + "/mountinfo", 1u << 20);
    ++stats_.mountinfo_reads;
    if (!mountinfo.ok()) {
      ++stats_.mountinfo_failures;
      return std::nullopt;  // asked again at the container's next exec
    }
    if (upper_.size() >= max_containers_) {
      upper_.clear();
      ++stats_.resets;
    }
    it = upper_.emplace(std::string(container_id), OverlayRootUpperDir(mountinfo.text)).first;
  }
  if (it->second.empty()) return std::nullopt;
  return ExistsInUpperDir(it->second, exe);
}

}  // namespace vigil::proctree
