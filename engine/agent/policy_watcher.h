// Notices when loaded policy files change on disk: plain writes, editors that save by writing
// a new file and renaming it over the old one, and Kubernetes ConfigMap volumes, which swap a
// `..data` symlink to a new timestamped directory. One inotify descriptor watches the
// directories involved; after a change the watch set is rebuilt, so new subdirectories and
// replaced files are followed too. A file written in place is reported only once its writer
// closed it, so a reload never reads it half-written.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "util/result.h"

namespace vigil::agent {

// How long a change must be quiet before it is loaded.
struct WatchTiming {
  // No inotify event for this long: the burst of an editor's save (write, rename, chmod) ends.
  std::chrono::milliseconds settle{150};
  // A policy file written in place is loaded only once its writer closed it (IN_CLOSE_WRITE),
  // so a half-written file is never loaded; a writer that keeps it open longer than this is
  // not waited for (logged).
  std::chrono::milliseconds max_open_wait{10000};
};

class PolicyWatcher {
 public:
  explicit PolicyWatcher(std::vector<std::string> paths, WatchTiming timing = {});
  ~PolicyWatcher();
  PolicyWatcher(const PolicyWatcher&) = delete;
  PolicyWatcher& operator=(const PolicyWatcher&) = delete;

  // Sets up the watches.
  Status Start();
  // The inotify descriptor, for poll/epoll.
  int fd() const { return fd_; }
  // Never blocks: reads what inotify has, and returns true once a change to a policy file is
  // complete, that is when no event came for `settle` and every policy file written since the
  // last change was closed by its writer (or `max_open_wait` passed). Call it every 100 ms or
  // so, and when fd() is readable.
  bool Poll(std::chrono::steady_clock::time_point now);
  // Waits up to `timeout` for a complete change (Poll in a loop); `settle` replaces the timing's.
  bool WaitForChange(std::chrono::milliseconds timeout,
                     std::chrono::milliseconds settle = std::chrono::milliseconds(150));
  uint64_t changes_seen() const { return changes_; }
  // Policy files open for writing (written, not closed yet) as far as inotify told.
  size_t files_being_written() const { return being_written_.size(); }

 private:
  bool Drain();  // reads pending events; true if any concerns a policy file
  void Rebuild();
  bool Relevant(int wd, const std::string& name, uint32_t mask) const;

  std::vector<std::string> paths_;
  WatchTiming timing_;
  int fd_ = -1;
  struct Watch {
    std::string dir;
    bool whole_dir = false;          // a directory the user named: every *.vgl below it counts
    std::vector<std::string> names;  // files in it the user named
  };
  std::map<int, Watch> watches_;
  // A change seen and not reported yet: since when, and the last event.
  bool pending_ = false;
  std::chrono::steady_clock::time_point first_event_{}, last_event_{};
  std::set<std::string> being_written_;  // dir/name of policy files modified and not closed
  uint64_t changes_ = 0;
};

}  // namespace vigil::agent
