// Where the process tree gets container placement and pod metadata from. The interface keeps
// the tree free of file access (tests inject a fake); ProcMetadataSource reads /proc/PID/cgroup
// and the container runtimes' state directories.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proctree/container_id.h"
#include "proctree/oci_annotations.h"
#include "proctree/result.h"
#include "proctree/runtime_state.h"

namespace vigil::proctree {

struct CgroupPlacement {
  std::string path;  // primary cgroup path (unified hierarchy when present)
  ContainerIdentity container;
};

class MetadataSource {
 public:
  virtual ~MetadataSource() = default;
  // Placement from the text of /proc/PID/cgroup (seeding has the text already).
  virtual CgroupPlacement Place(std::string_view proc_cgroup_text) = 0;
  // Placement of a live process. Error when it is gone or unreadable.
  virtual Result<CgroupPlacement> PlacementOf(uint32_t pid) = 0;
  // Pod metadata of a container; `runtime` receives the runtime whose state answered.
  // Error while the runtime has not written its state yet (or never will: not a CRI container).
  virtual Result<PodMetadata> PodOf(const ContainerIdentity& container, std::string* runtime) = 0;
};

class ProcMetadataSource : public MetadataSource {
 public:
  explicit ProcMetadataSource(std::string proc_root = "/proc", RuntimeStateRoots roots = {})
      : proc_root_(std::move(proc_root)), roots_(std::move(roots)) {}

  CgroupPlacement Place(std::string_view proc_cgroup_text) override;
  Result<CgroupPlacement> PlacementOf(uint32_t pid) override;
  Result<PodMetadata> PodOf(const ContainerIdentity& container, std::string* runtime) override;

 private:
  std::string proc_root_;
  RuntimeStateRoots roots_;
};

}  // namespace vigil::proctree
