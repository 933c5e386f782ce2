#include "proctree/metadata_source.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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

const std::string& ProcMetadataSource::Cgroup2Mount() {
  if (!cgroup2_looked_up_) {
    cgroup2_looked_up_ = true;
    // /proc/self/mountinfo: "... MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPEROPTS"
    std::ifstream in(proc_root_ + "/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
      size_t dash = line.find(" - cgroup2 ");
      if (dash == std::string::npos) continue;
      std::istringstream fields(line.substr(0, dash));
      std::string id, parent, dev, root, mount_point;
      if (fields >> id >> parent >> dev >> root >> mount_point) {
        cgroup2_mount_ = mount_point;
        break;
      }
    }
  }
  return cgroup2_mount_;
}

uint64_t ProcMetadataSource::UnifiedCgroupId(std::string_view text) {
  if (Cgroup2Mount().empty()) return 0;
  // The unified hierarchy's line is "0::/path".
  std::string_view path;
  bool found = false;
  for (size_t pos = 0; pos < text.size() && !found;) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (line.rfind("0::", 0) == 0) {
      path = line.substr(3);
      found = true;
    }
    pos = end + 1;
  }
  if (!found) return 0;
  struct stat st;
  if (::stat((cgroup2_mount_ + std::string(path)).c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_ino);
}

CgroupPlacement ProcMetadataSource::Place(std::string_view text) {
  CgroupPlacement placement;
  placement.path = std::string(PrimaryCgroupPath(text));
  placement.container = ContainerFromProcCgroup(text);
  placement.cgroup_id = UnifiedCgroupId(text);
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

Result<CgroupPlacement> ProcMetadataSource::PlacementOfCgroup(uint64_t cgroup_id) {
  namespace fs = std::filesystem;
  if (cgroup_id == 0 || Cgroup2Mount().empty()) return Error{"cgroup id unknown"};
  auto cached = cgroup_paths_.find(cgroup_id);
  if (cached == cgroup_paths_.end()) {
    // The id is the inode of the cgroup's directory: walk the hierarchy once, remembering every
    // id seen, so later lookups of sibling cgroups are answered from memory.
    std::error_code ec;
    const fs::path mount(cgroup2_mount_);
    for (fs::recursive_directory_iterator it(mount, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
      if (!it->is_directory(ec)) continue;
      struct stat st;
      if (::stat(it->path().c_str(), &st) != 0) continue;
      cgroup_paths_[st.st_ino] = "/" + fs::relative(it->path(), mount, ec).string();
    }
    cached = cgroup_paths_.find(cgroup_id);
    if (cached == cgroup_paths_.end()) return Error{"no cgroup with id " + std::to_string(cgroup_id)};
  }
  return Place("0::" + cached->second + "\n");
}

Result<PodMetadata> ProcMetadataSource::PodOf(const ContainerIdentity& container,
                                              std::string* runtime) {
  return ReadPodMetadata(roots_, container.id, runtime);
}

}  // namespace vigil::proctree
