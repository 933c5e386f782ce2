#include "agent/policy_watcher.h"

#include <poll.h>
#include <spdlog/spdlog.h>
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
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

PolicyWatcher::PolicyWatcher(std::vector<std::string> paths, WatchTiming timing)
    : paths_(std::move(paths)), timing_(timing) {}

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
      for (fs::recursive_directory_iterator
               it(p, fs::directory_options::follow_directory_symlink, ec),
           end;
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
      p += sizeof(inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        relevant = true;  // lost events: assume a change
        continue;
      }
      if (!Relevant(ev->wd, name, ev->mask)) continue;
      relevant = true;
      // A write in place: the file is complete only when its writer closes it.
      auto w = watches_.find(ev->wd);
      const std::string key = (w != watches_.end() ? w->second.dir : "?") + "/" + name;
      if (ev->mask & IN_MODIFY)
        being_written_.insert(key);
      else if (ev->mask & (IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM))
        being_written_.erase(key);
      else if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF))
        being_written_.clear();
    }
  }
  return relevant;
}

bool PolicyWatcher::Poll(std::chrono::steady_clock::time_point now) {
  if (Drain()) {
    if (!pending_) first_event_ = now;
    pending_ = true;
    last_event_ = now;
  }
  if (!pending_ || now - last_event_ < timing_.settle) return false;
  if (!being_written_.empty()) {
    if (now - first_event_ < timing_.max_open_wait) return false;
    spdlog::warn("{} is still open for writing after {} ms; loading it anyway",
                 *being_written_.begin(), timing_.max_open_wait.count());
    being_written_.clear();
  }
  pending_ = false;
  Rebuild();
  ++changes_;
  return true;
}

bool PolicyWatcher::WaitForChange(std::chrono::milliseconds timeout,
                                  std::chrono::milliseconds settle) {
  const WatchTiming saved = timing_;
  timing_.settle = settle;
  const auto deadline = std::chrono::steady_clock::now() + timeout + settle;
  bool changed = false;
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    if ((changed = Poll(now)) || now >= deadline) break;
    // Before the first event wait on the descriptor; then in steps of a tenth of `settle`.
    auto step = pending_
                    ? std::max<int64_t>(1, settle.count() / 10)
                    : std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    pollfd pfd{fd_, POLLIN, 0};
    ::poll(&pfd, 1, static_cast<int>(std::max<int64_t>(step, 1)));
  }
  timing_ = saved;
  return changed;
}

}  // namespace vigil::agent
