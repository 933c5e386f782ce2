#include "proctree/metadata_source.h"

#include <cstring>

#include "proctree/procfs_read.h"

namespace vigil::proctree {

CgroupPlacement ProcMetadataSource::Place(std::string_view text) {
  CgroupPlacement placement;
  placement.path = std::string(PrimaryCgroupPath(text));
  placement.container = ContainerFromProcCgroup(text);
  if (placement.container.in_container() || placement.path.empty()) return placement;
  // Standalone runc/crun name the cgroup after the container id with no prefix: ask the
  // runtime's state directory about the innermost component.
  std::string_view path = placement.path;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (HasRuncState(roots_, last)) {
    placement.container.id = std::string(last);
    placement.container.runtime = "runc";
  }
  return placement;
}

Result<CgroupPlacement> ProcMetadataSource::PlacementOf(uint32_t pid) {
  FileText text = ReadSmallFile(proc_root_ + "/" + std::to_string(pid) + "/cgroup", 16 * 1024);
  if (!text.ok()) {
    return Error{"/proc/" + std::to_string(pid) + "/cgroup: " + std::strerror(text.err)};
  }
  return Place(text.text);
}

Result<PodMetadata> ProcMetadataSource::PodOf(const ContainerIdentity& container,
                                              std::string* runtime) {
  return ReadPodMetadata(roots_, container.id, runtime);
}

}  // namespace vigil::proctree
