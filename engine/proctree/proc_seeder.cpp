#include "proctree/proc_seeder.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include "proctree/entity.h"
#include "proctree/proc_snapshot.h"

namespace vigil::proctree {
namespace {

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

bool ParsePid(const char* name, uint32_t* pid) {
  uint64_t value = 0;
  if (*name == '\0') return false;
  for (const char* c = name; *c; ++c) {
    if (*c < '0' || *c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(*c - '0');
    if (value > 0xffffffffULL) return false;
  }
  *pid = static_cast<uint32_t>(value);
  return value != 0;
}

}  // namespace

Result<ProcScan> ScanProc(const SeedOptions& options, size_t max_args_bytes) {
  const uint64_t hz = options.ticks_per_second != 0
                          ? options.ticks_per_second
                          : static_cast<uint64_t>(std::max(1L, ::sysconf(_SC_CLK_TCK)));
  std::vector<uint32_t> pids;
  {
    std::unique_ptr<DIR, DirCloser> dir(::opendir(options.proc_root.c_str()));
    if (!dir) return Error{options.proc_root + ": " + std::strerror(errno)};
    while (dirent* entry = ::readdir(dir.get())) {
      uint32_t pid = 0;
      if (ParsePid(entry->d_name, &pid)) pids.push_back(pid);
    }
  }
  ProcScan scan;
  SeedReport& report = scan.report;
  report.listed = pids.size();

  // Read everything first, then link: a parent may sort after its child (reparenting to a
  // subreaper that started later), so the pid -> entity map must be complete before linking.
  std::vector<ProcSnapshot>& snapshots = scan.snapshots;
  snapshots.reserve(pids.size());
  const size_t max_args = max_args_bytes + 1;  // +1 to see truncation
  for (uint32_t pid : pids) {
    SnapshotResult read = ReadProcSnapshot(options.proc_root, pid, max_args);
    switch (read.outcome) {
      case SnapshotOutcome::kVanished:
        ++report.vanished;
        break;
      case SnapshotOutcome::kUnreadable:
        ++report.unreadable;
        break;
      case SnapshotOutcome::kRead:
        if (read.snapshot.missing != 0) ++report.partial;
        snapshots.push_back(std::move(read.snapshot));
        break;
    }
  }
  std::unordered_map<uint32_t, uint64_t> entity_of;
  entity_of.reserve(snapshots.size());
  for (const ProcSnapshot& s : snapshots) {
    entity_of[s.stat.pid] = EntityFromProcTicks(s.stat.pid, s.stat.start_ticks, hz);
  }
  // Oldest first, so parents are in the tree when their children link to them.
  std::sort(snapshots.begin(), snapshots.end(), [](const ProcSnapshot& a, const ProcSnapshot& b) {
    return a.stat.start_ticks != b.stat.start_ticks ? a.stat.start_ticks < b.stat.start_ticks
                                                    : a.stat.pid < b.stat.pid;
  });
  scan.inputs.reserve(snapshots.size());
  for (const ProcSnapshot& s : snapshots) {
    SeedInput in = SeedInputFrom(s);
    in.entity = entity_of[s.stat.pid];
    if (s.stat.ppid != 0) {
      auto parent = entity_of.find(s.stat.ppid);
      if (parent != entity_of.end()) {
        in.parent_entity = parent->second;
      } else {
        ++report.parents_unknown;
      }
    }
    in.start_ns = ProcTicksToNs(s.stat.start_ticks, hz);
    scan.inputs.push_back(in);
  }
  return scan;
}

Result<SeedReport> SeedFromProc(ProcessTree& tree, const SeedOptions& options) {
  auto scan = ScanProc(options, tree.limits().max_args_bytes);
  if (!scan) return Error{scan.error()};
  SeedReport report = scan->report;
  for (const SeedInput& in : scan->inputs) {
    if (tree.Seed(in)) {
      ++report.seeded;
    } else {
      ++report.refused;
    }
  }
  return report;
}

ReconcileReport ReconcileFromScan(ProcessTree& tree, const ProcScan& scan,
                                  const std::function<bool(uint32_t pid)>& exec_pending) {
  const TreeStats before = tree.stats();
  for (const SeedInput& in : scan.inputs) tree.Reconcile(in, exec_pending(in.pid));
  return {tree.stats().reconciled_added - before.reconciled_added,
          tree.stats().reconciled_images - before.reconciled_images};
}

}  // namespace vigil::proctree
