// user.name and user.loginname: user ids named from passwd files, cached and re-read when the
// file changes. A host process's uid is named from the host's /etc/passwd; a container
// process's uid from the container's own /etc/passwd (read through /proc/PID/root, confined to
// the container's root), since that is the file its programs resolve names with. The login uid
// is always named from the host's file: logins happen on the host.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vigil::proctree {

// uid -> name from the text of a passwd file ("name:x:uid:gid:gecos:home:shell" lines). The
// first line naming a uid wins, as getpwuid() does; malformed lines and "+"/"-" NIS entries
// are skipped.
std::unordered_map<uint32_t, std::string> ParsePasswd(std::string_view text);

// One passwd file, re-read when its identity (device, inode, size, mtime) changes; the check
// is a stat(2) at most once per refresh interval.
class PasswdFile {
 public:
  // `root`: "" for a host path, or a directory the path is confined to (a container's root).
  PasswdFile(std::string root, std::string path) : root_(std::move(root)), path_(std::move(path)) {}

  std::optional<std::string_view> Name(uint32_t uid, uint64_t now_ns, uint64_t interval_ns);
  // Whether the next Name() call at now_ns will check the file (callers then set its root).
  bool Due(uint64_t now_ns, uint64_t interval_ns) const {
    return !checked_ || now_ns < checked_ns_ || now_ns - checked_ns_ >= interval_ns;
  }
  // Points the file at another root (the container's root through a live process).
  void set_root(std::string root) { root_ = std::move(root); }
  uint64_t reads() const { return reads_; }
  bool readable() const { return readable_; }

 private:
  void Refresh(uint64_t now_ns, uint64_t interval_ns);

  std::string root_, path_;
  std::unordered_map<uint32_t, std::string> names_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  off_t size_ = -1;
  timespec mtime_{};
  uint64_t checked_ns_ = 0;
  bool checked_ = false, readable_ = false;
  uint64_t reads_ = 0;
};

struct UserNamesOptions {
  std::string host_passwd = "/etc/passwd";
  std::string proc_root = "/proc";
  uint64_t refresh_interval_ns = 1'000'000'000ULL;
  size_t max_containers = 1024;  // container files cached; all are dropped when it is reached
};

struct UserNameStats {
  uint64_t host_reads = 0;        // times the host file was (re-)read
  uint64_t container_reads = 0;   // times a container's file was (re-)read
  uint64_t container_resets = 0;  // the container cache reached max_containers and was dropped
};

class UserNames {
 public:
  explicit UserNames(UserNamesOptions options = {});

  // The name of `uid` on the host; nullopt when the file has none (or cannot be read).
  std::optional<std::string_view> HostName(uint32_t uid, uint64_t now_ns);
  // The name of `uid` inside container `container_id`, whose process `pid` is alive (its root
  // is reached through it).
  std::optional<std::string_view> ContainerName(std::string_view container_id, uint32_t pid,
                                                uint32_t uid, uint64_t now_ns);
  UserNameStats stats() const;

 private:
  UserNamesOptions options_;
  PasswdFile host_;
  std::unordered_map<std::string, PasswdFile> containers_;
  std::string key_;  // the container id being looked up (reused: no allocation per event)
  uint64_t container_resets_ = 0;
};

}  // namespace vigil::proctree
