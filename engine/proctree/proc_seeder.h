// Fills a process tree from /proc at start: every live process with its parent, name, exe, args,
// ids, namespaces and cgroup, under the same entity the kernel computes, so a process seen here
// and later in an event is one node. Entries that are unreadable (EACCES) or vanish while being
// read are normal on a live host; they are counted and seeding carries on.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "proctree/proc_snapshot.h"
#include "proctree/process_tree.h"

namespace vigil::proctree {

struct SeedOptions {
  std::string proc_root = "/proc";
  uint64_t ticks_per_second = 0;  // 0: sysconf(_SC_CLK_TCK)
};

struct SeedReport {
  uint64_t listed = 0;           // numeric entries found in proc_root
  uint64_t seeded = 0;           // processes added to (or merged into) the tree
  uint64_t vanished = 0;         // exited between listing and reading
  uint64_t unreadable = 0;       // stat not readable (permissions) or not parseable
  uint64_t partial = 0;          // seeded, but some fields could not be read
  uint64_t refused = 0;          // the tree was full
  uint64_t parents_unknown = 0;  // ppid not among the processes read (except 0)
};

template <class F>
void ForEachCounter(const SeedReport& r, F&& f) {
  f("seed_listed", r.listed);
  f("seed_seeded", r.seeded);
  f("seed_vanished", r.vanished);
  f("seed_unreadable", r.unreadable);
  f("seed_partial", r.partial);
  f("seed_refused", r.refused);
  f("seed_parents_unknown", r.parents_unknown);
}
static_assert(sizeof(SeedReport) == 7 * sizeof(uint64_t), "update ForEachCounter(SeedReport)");

// /proc read once, without touching a tree: every readable process, oldest first (parents
// before their children), with its entity and its parent's. `report` has the read's counters
// (listed, vanished, unreadable, partial, parents_unknown). Not copyable: `inputs` views into
// `snapshots`.
struct ProcScan {
  SeedReport report;
  std::vector<ProcSnapshot> snapshots;
  std::vector<SeedInput> inputs;
  ProcScan() = default;
  ProcScan(ProcScan&&) = default;
  ProcScan& operator=(ProcScan&&) = default;
  ProcScan(const ProcScan&) = delete;
  ProcScan& operator=(const ProcScan&) = delete;
};
// Errors: proc_root cannot be listed at all.
Result<ProcScan> ScanProc(const SeedOptions& options, size_t max_args_bytes);

// Errors: proc_root cannot be listed at all.
Result<SeedReport> SeedFromProc(ProcessTree& tree, const SeedOptions& options = {});

struct ReconcileReport {
  uint64_t added = 0;   // processes the tree did not know
  uint64_t images = 0;  // seeded processes whose exec no event reported
};
// ProcessTree::Reconcile for every process of `scan`; `exec_pending(pid)` says whether an exec
// event of that pid is waiting to be delivered.
ReconcileReport ReconcileFromScan(ProcessTree& tree, const ProcScan& scan,
                                  const std::function<bool(uint32_t pid)>& exec_pending);

}  // namespace vigil::proctree
