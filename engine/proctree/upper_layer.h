// proc.is_exe_upper_layer: whether a container process's executable lives in the writable
// (upper) layer of the overlay file system mounted at the container's root. An image's files
// are in the lower layers; a file is in the upper layer only when it was created in the
// container, or changed there (a write, chmod or chown copies it up), after the container was
// created: a binary dropped or patched at run time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vigil::proctree {

// The upperdir= of the overlay mounted at "/" in a /proc/PID/mountinfo text; "" when the root
// is not an overlay or has no upper layer (read-only). Octal escapes (\040) are decoded.
std::string OverlayRootUpperDir(std::string_view mountinfo);

// Whether `path` (absolute, as the container sees it) exists in `upper`, resolved inside it
// (openat2 RESOLVE_IN_ROOT: a symbolic link in the container never leads out). nullopt when it
// cannot be said (bad path, openat2 missing, an error other than "no such file").
std::optional<bool> ExistsInUpperDir(const std::string& upper, std::string_view path);

struct UpperLayerStats {
  uint64_t mountinfo_reads = 0;
  uint64_t mountinfo_failures = 0;
  uint64_t resets = 0;  // the cache reached its bound and was dropped
};

class UpperLayers {
 public:
  explicit UpperLayers(std::string proc_root = "/proc", size_t max_containers = 1024)
      : proc_root_(std::move(proc_root)), max_containers_(max_containers) {}

  // For an exec of process `pid` in container `container_id`: is `exe` in the container root's
  // upper layer? nullopt: the container's root is not an overlay with an upper layer, or its
  // mounts could not be read (the process is gone).
  std::optional<bool> ExeInUpperLayer(std::string_view container_id, uint32_t pid,
                                      std::string_view exe);
  const UpperLayerStats& stats() const { return stats_; }

 private:
  std::string proc_root_;
  size_t max_containers_;
  std::unordered_map<std::string, std::string> upper_;  // container id -> upperdir ("" = none)
  UpperLayerStats stats_;
};

}  // namespace vigil::proctree
