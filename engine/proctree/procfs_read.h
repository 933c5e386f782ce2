// Reading /proc (and runtime state files) without surprises: every fd is owned, reads are
// bounded, and failures come back as values with errno kept, because on a live host processes
// vanish mid-read (ENOENT, ESRCH) and some entries are never readable (EACCES on parts of
// /proc/1 in a restricted init).
#pragma once

#include <cstddef>
#include <string>

namespace vigil::proctree {

// A file's bytes, up to max_bytes (the rest is ignored). Never follows into an unbounded read.
struct FileText {
  std::string text;
  int err = 0;  // 0 on success
  bool ok() const { return err == 0; }
};
FileText ReadSmallFile(const std::string& path, size_t max_bytes = 64 * 1024);

// A file of a tree that another party controls (a container's root, reached as
// /proc/PID/root), read as if `root` were "/": symbolic links, "..", absolute ones included,
// never leave it (openat2 RESOLVE_IN_ROOT; ENOSYS before Linux 5.6); only regular files are
// read. err as above.
FileText ReadSmallFileInRoot(const std::string& root, const std::string& path,
                             size_t max_bytes = 64 * 1024);

// readlink(2) into a string; err as above.
FileText ReadLink(const std::string& path);

// errno means "the process went away" (not a failure worth more than a counter).
bool IsVanished(int err);

}  // namespace vigil::proctree
