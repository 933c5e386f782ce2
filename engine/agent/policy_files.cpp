#include "agent/policy_files.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

#include "lang/load_sources.h"

namespace vigil::agent {
namespace {

std::string Mode(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

// A Kubernetes ConfigMap (or Secret) volume's root: the kubelet makes it as an emptyDir, mode
// 0777, and writes the atomic-writer layout into it (lang::IsAtomicWriterDir); the container
// sees it through a read-only bind mount (ConfigMap volumes are always mounted read-only), so
// nobody can write it through this path, and on the node it lies below /var/lib/kubelet/pods
// (root only). Accepted only when all of that holds: a read-only mount, the layout, owned by
// root (or the trusted uid) and `..data` too; the timestamped directory and the files are
// checked as usual, since they lie on the resolved path.
bool IsReadOnlyKubeletVolume(const std::string& dir, const struct stat& st, uid_t trusted) {
  struct statvfs vfs;
  if (::statvfs(dir.c_str(), &vfs) != 0 || !(vfs.f_flag & ST_RDONLY)) return false;
  if (!lang::IsAtomicWriterDir(dir)) return false;
  struct stat data;
  if (::lstat((dir + "/..data").c_str(), &data) != 0) return false;
  auto trusted_uid = [&](uid_t u) { return u == 0 || u == trusted; };
  return trusted_uid(st.st_uid) && trusted_uid(data.st_uid);
}

void CheckOne(const std::string& path, bool follow, uid_t trusted, std::set<std::string>& seen,
              std::vector<PermissionProblem>& out) {
  if (!seen.insert(path + (follow ? "" : "#link")).second) return;
  struct stat st;
  int rc = follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
  if (rc != 0) {
    out.push_back({path, std::string("cannot be checked: ") + std::strerror(errno)});
    return;
  }
  if (S_ISLNK(st.st_mode)) {
    // The link's own mode bits mean nothing; who owns it does (they can repoint it), and so
    // does whoever can write the directory holding it (checked with the parents).
    if (st.st_uid != 0 && st.st_uid != trusted)
      out.push_back(
          {path, "is a symbolic link owned by uid " + std::to_string(st.st_uid) + ", not root"});
    return;
  }
  if (st.st_uid != 0 && st.st_uid != trusted)
    out.push_back({path, "is owned by uid " + std::to_string(st.st_uid) + ", not root"});
  bool sticky_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !sticky_dir &&
      !(S_ISDIR(st.st_mode) && IsReadOnlyKubeletVolume(path, st, trusted)))
    out.push_back({path, "is writable by " +
                             std::string(st.st_mode & S_IWOTH ? "others" : "its group") +
                             " (mode " + Mode(st.st_mode) + ")"});
}

}  // namespace

std::vector<PermissionProblem> CheckPolicyPermissions(const std::vector<std::string>& files,
                                                      uid_t trusted_uid) {
  namespace fs = std::filesystem;
  std::vector<PermissionProblem> out;
  std::set<std::string> seen;
  for (const auto& f : files) {
    std::error_code ec;
    fs::path abs = fs::absolute(f, ec);
    if (ec) abs = f;
    // Every component of the path as written (links included), then the resolved file.
    fs::path walk;
    for (const auto& part : abs) {
      walk /= part;
      CheckOne(walk.string(), false, trusted_uid, seen, out);
    }
    fs::path real = fs::canonical(abs, ec);
    if (!ec) {
      for (fs::path p = real.parent_path(); !p.empty(); p = p.parent_path()) {
        CheckOne(p.string(), true, trusted_uid, seen, out);
        if (p == p.root_path()) break;
      }
      CheckOne(real.string(), true, trusted_uid, seen, out);
    }
  }
  // A path both written and resolved is checked twice: report each problem once.
  std::vector<PermissionProblem> unique;
  std::set<std::pair<std::string, std::string>> reported;
  for (auto& p : out)
    if (reported.insert({p.path, p.reason}).second) unique.push_back(std::move(p));
  return unique;
}

}  // namespace vigil::agent
