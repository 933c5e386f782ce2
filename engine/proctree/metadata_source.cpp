#include "proctree/metadata_source.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "proctree/entity.h"
#include "proctree/procfs_read.h"

namespace vigil::proctree {

ProcMetadataSource::ProcMetadataSource(std::string proc_root, RuntimeStateRoots roots,
                                       uint64_t ticks_per_second)
    : proc_root_(std::move(proc_root)),
      roots_(std::move(roots)),
      ticks_per_second_(ticks_per_second != 0
                            ? ticks_per_second
                            : static_cast<uint64_t>(std::max(1L, ::sysconf(_SC_CLK_TCK)))) {}

Result<ProcessRecord> ProcMetadataSource::ReadProcess(uint32_t pid, size_t max_args_bytes) {
  SnapshotResult read = ReadProcSnapshot(proc_root_, pid, max_args_bytes);
  if (read.outcome != SnapshotOutcome::kRead) {
    return Error{"/proc/" + std::to_string(pid) + ": " +
                 (read.outcome == SnapshotOutcome::kVanished ? "gone" : "unreadable")};
  }
  ProcessRecord record;
  record.snapshot = std::move(read.snapshot);
  const uint64_t ticks = record.snapshot.stat.start_ticks;
  record.entity = EntityFromProcTicks(pid, ticks, ticks_per_second_);
  record.start_ns = ProcTicksToNs(ticks, ticks_per_second_);
  return record;
}

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
