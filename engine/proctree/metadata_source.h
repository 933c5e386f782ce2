// Where the process tree gets container placement and pod metadata from. The interface keeps
// the tree free of file access (tests inject a fake); ProcMetadataSource reads /proc/PID/cgroup
// and the container runtimes' state directories.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "proctree/container_id.h"
#include "proctree/oci_annotations.h"
#include "proctree/proc_snapshot.h"
#include "proctree/runtime_state.h"
#include "util/result.h"

namespace vigil::proctree {

struct CgroupPlacement {
  std::string path;  // primary cgroup path (unified hierarchy when present)
  ContainerIdentity container;
  uint64_t cgroup_id = 0;  // the kernel's id of the unified-hierarchy cgroup; 0 = unknown
};

// A process read from /proc with its identity in the kernel's terms.
struct ProcessRecord {
  ProcSnapshot snapshot;
  uint64_t entity = 0;    // bpf/entity.h over pid and start time
  uint64_t start_ns = 0;  // CLOCK_BOOTTIME, tick precision
};

class MetadataSource {
 public:
  virtual ~MetadataSource() = default;
  // Placement from the text of /proc/PID/cgroup (seeding has the text already).
  virtual CgroupPlacement Place(std::string_view proc_cgroup_text) = 0;
  // Placement of a live process. Error when it is gone or unreadable.
  virtual Result<CgroupPlacement> PlacementOf(uint32_t pid) = 0;
  // The placement of the cgroup the kernel names by id, for a process already gone from /proc
  // (a short-lived process that runc moved into a container's cgroup before its exec).
  virtual Result<CgroupPlacement> PlacementOfCgroup(uint64_t /*cgroup_id*/) {
    return Error{"no cgroup lookup by id"};
  }
  // Pod metadata of a container; `runtime` receives the runtime whose state answered.
  // Error while the runtime has not written its state yet (or never will: not a CRI container).
  virtual Result<PodMetadata> PodOf(const ContainerIdentity& container, std::string* runtime) = 0;
  // A live process, for rebuilding one whose events were missed. Error when gone or unreadable.
  virtual Result<ProcessRecord> ReadProcess(uint32_t pid, size_t max_args_bytes) = 0;
};

class ProcMetadataSource : public MetadataSource {
 public:
  // ticks_per_second 0: sysconf(_SC_CLK_TCK).
  explicit ProcMetadataSource(std::string proc_root = "/proc", RuntimeStateRoots roots = {},
                              uint64_t ticks_per_second = 0);

  CgroupPlacement Place(std::string_view proc_cgroup_text) override;
  Result<CgroupPlacement> PlacementOf(uint32_t pid) override;
  Result<CgroupPlacement> PlacementOfCgroup(uint64_t cgroup_id) override;
  Result<PodMetadata> PodOf(const ContainerIdentity& container, std::string* runtime) override;
  Result<ProcessRecord> ReadProcess(uint32_t pid, size_t max_args_bytes) override;

 private:
  // The cgroup id the kernel reports (bpf_get_current_cgroup_id) for a unified-hierarchy path:
  // the inode of that cgroup's directory under the cgroup2 mount. 0 when it cannot be known.
  uint64_t UnifiedCgroupId(std::string_view proc_cgroup_text);

  std::string proc_root_;
  RuntimeStateRoots roots_;
  uint64_t ticks_per_second_;
  const std::string& Cgroup2Mount();
  std::string cgroup2_mount_;  // where cgroup2 is mounted ("" if nowhere); found on first use
  bool cgroup2_looked_up_ = false;
  std::map<uint64_t, std::string> cgroup_paths_;  // id -> unified path, from directory walks
};

}  // namespace vigil::proctree
