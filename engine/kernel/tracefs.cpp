#include "kernel/tracefs.h"

#include <spdlog/spdlog.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace vigil::kernel {
namespace {

bool IsDir(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

Result<std::string> EnsureTracefs() {
  const std::string root = "/sys/kernel/tracing";
  if (IsDir(root + "/events")) return root;
  if (IsDir("/sys/kernel/debug/tracing/events")) return std::string("/sys/kernel/debug/tracing");
  if (mount("nodev", root.c_str(), "tracefs", 0, nullptr) != 0)
    return Error{"tracefs is not mounted and mounting it on " + root +
                 " failed: " + std::strerror(errno)};
  spdlog::info("mounted tracefs on {} (it was not mounted)", root);
  if (!IsDir(root + "/events")) return Error{"tracefs mounted on " + root + " has no events/"};
  return root;
}

bool TracepointExists(const std::string& root, const std::string& category,
                      const std::string& name) {
  return IsDir(root + "/events/" + category + "/" + name);
}

}  // namespace vigil::kernel
