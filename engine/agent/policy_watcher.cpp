#include "agent/policy_watcher.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vigil::agent {
namespace {

constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE |
                           IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_MODIFY;

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

PolicyWatcher::PolicyWatcher(std::vector<std::string> paths) : paths_(std::move(paths)) {}

PolicyWatcher::~PolicyWatcher() {
  if (fd_ >= 0) ::close(fd_);
}

Status PolicyWatcher::Start() {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return Error{std::string("inotify_init1: ") + std::strerror(errno)};
  Rebuild();
  if (watches_.empty()) return Error{"no policy path could be watched"};
  return OkStatus();
}

void PolicyWatcher::Rebuild() {
  namespace fs = std::filesystem;
  for (const auto& [wd, w] : watches_) ::inotify_rm_watch(fd_, wd);
  watches_.clear();
  std::map<std::string, Watch> wanted;
  for (const auto& p : paths_) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      wanted[p].dir = p;
      wanted[p].whole_dir = true;
      for (fs::recursive_directory_iterator it(p, fs::directory_options::follow_directory_symlink, ec), end;
           !ec && it != end; it.increment(ec)) {
        if (it->is_directory(ec)) {
          auto& w = wanted[it->path().string()];
          w.dir = it->path().string();
          w.whole_dir = true;
        }
      }
    } else {
      fs::path path(p);
      std::string dir = path.has_parent_path() ? path.parent_path().string() : ".";
      auto& w = wanted[dir];
      w.dir = dir;
      w.names.push_back(path.filename().string());
    }
  }
  for (auto& [dir, w] : wanted) {
    int wd = ::inotify_add_watch(fd_, dir.c_str(), kMask);
    if (wd >= 0) watches_[wd] = std::move(w);
  }
}

bool PolicyWatcher::Relevant(int wd, const std::string& name, uint32_t mask) const {
  auto it = watches_.find(wd);
  if (it == watches_.end()) return false;
  if (mask & (IN_DELETE_SELF | IN_MOVE_SELF)) return true;
  // Kubernetes ConfigMap volumes publish an update by renaming a new `..data` symlink in.
  if (name == "..data") return true;
  const Watch& w = it->second;
  if (w.whole_dir && (EndsWith(name, ".vgl") || (mask & IN_ISDIR))) return true;
  return std::find(w.names.begin(), w.names.end(), name) != w.names.end();
}

bool PolicyWatcher::Drain() {
  alignas(inotify_event) char buf[16 * 1024];
  bool relevant = false;
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) break;
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      std::string name = ev->len ? std::string(ev->name) : std::string();
      if (ev->mask & IN_Q_OVERFLOW) relevant = true;  // lost events: assume a change
      else if (Relevant(ev->wd, name, ev->mask)) relevant = true;
      p += sizeof(inotify_event) + ev->len;
    }
  }
  return relevant;
}

bool PolicyWatcher::WaitForChange(std::chrono::milliseconds timeout,
                                  std::chrono::milliseconds settle) {
  pollfd pfd{fd_, POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return false;
  bool changed = Drain();
  if (!changed) return false;
  // Let the burst finish: an editor writes, renames and changes modes in quick succession.
  while (::poll(&pfd, 1, static_cast<int>(settle.count())) > 0) Drain();
  Rebuild();
  ++changes_;
  return true;
}

}  // namespace vigil::agent
