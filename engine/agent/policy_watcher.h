// Notices when loaded policy files change on disk: plain writes, editors that save by writing
// a new file and renaming it over the old one, and Kubernetes ConfigMap volumes, which swap a
// `..data` symlink to a new timestamped directory. One inotify descriptor watches the
// directories involved; after a change the watch set is rebuilt, so new subdirectories and
// replaced files are followed too.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "util/result.h"

namespace vigil::agent {

class PolicyWatcher {
 public:
  explicit PolicyWatcher(std::vector<std::string> paths);
  ~PolicyWatcher();
  PolicyWatcher(const PolicyWatcher&) = delete;
  PolicyWatcher& operator=(const PolicyWatcher&) = delete;

  // Sets up the watches.
  Status Start();
  // The inotify descriptor, for poll/epoll.
  int fd() const { return fd_; }
  // Waits up to `timeout` for a change to a policy file. A burst of events (an editor's
  // write-rename-chmod) is coalesced: returns once no further event came for `settle`.
  bool WaitForChange(std::chrono::milliseconds timeout,
                     std::chrono::milliseconds settle = std::chrono::milliseconds(150));
  uint64_t changes_seen() const { return changes_; }

 private:
  bool Drain();  // reads pending events; true if any concerns a policy file
  void Rebuild();
  bool Relevant(int wd, const std::string& name, uint32_t mask) const;

  std::vector<std::string> paths_;
  int fd_ = -1;
  struct Watch {
    std::string dir;
    bool whole_dir = false;           // a directory the user named: every *.vgl below it counts
    std::vector<std::string> names;  // files in it the user named
  };
  std::map<int, Watch> watches_;
  uint64_t changes_ = 0;
};

}  // namespace vigil::agent
