// The process tree of the host: every process vigil knows, keyed by entity (hash of tgid and
// start time, bpf/entity.h), seeded from /proc and kept current from fork, exec and exit events.
// It answers "who is this process, who are its ancestors, which container and pod is it in" for
// the matchers and the JSON output. Memory is bounded by TreeLimits; every limit hit is counted.
// Single-threaded: the one consumer thread that reads events owns the tree.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proctree/container_id.h"
#include "proctree/flat_index.h"
#include "proctree/metadata_source.h"
#include "proctree/oci_annotations.h"
#include "proctree/pending_cache.h"
#include "proctree/proc_snapshot.h"
#include "proctree/string_interner.h"

namespace vigil::proctree {

// ---- inputs: plain structs a decoder, a replay or a test fills ------------------------------
// Strings and args are views: they must stay valid for the call only; the tree copies them.
struct ForkInput {
  uint32_t pid = 0;            // child tgid
  uint32_t ppid = 0;           // parent tgid
  uint64_t entity = 0;         // child entity; 0 = compute from pid and start_ns
  uint64_t parent_entity = 0;  // 0 when the kernel did not know it (then ppid decides)
  uint64_t start_ns = 0;       // child start, CLOCK_BOOTTIME ns
  uint64_t ts_ns = 0;          // event time
  std::string_view comm;
  uint32_t uid = 0, gid = 0;
};

struct ExecInput {
  uint32_t pid = 0, ppid = 0;
  uint64_t entity = 0, parent_entity = 0, start_ns = 0, ts_ns = 0;
  std::string_view comm, exe, tty, cwd;
  std::span<const std::string> args;  // argv[0] included
  uint32_t vpid = 0;                  // pid in its own pid namespace; 0 = unknown
  uint32_t tty_dev = 0;               // controlling terminal's device number (tty_nr encoding)
  std::span<const std::string> env;   // selected environment variables, NAME=value
  bool env_truncated = false;         // the kernel's scan or a value was cut
  bool args_truncated = false;        // the kernel already cut argv
  uint32_t uid = 0, euid = 0, gid = 0, loginuid = 0xffffffffu;
  uint64_t mntns = 0, pidns = 0;
  uint64_t cgroup_id = 0;  // 0 = unknown; a change from the parent's re-reads the placement
};

struct ExitInput {
  uint32_t pid = 0;
  uint64_t entity = 0, start_ns = 0, ts_ns = 0;
  uint32_t exit_status = 0;  // wait status
};

// A process read from /proc at start (see proc_seeder.h).
struct SeedInput {
  uint32_t pid = 0, ppid = 0;
  uint64_t entity = 0, parent_entity = 0, start_ns = 0;
  std::string_view comm, exe, cwd;
  std::string_view args;  // NUL-separated
  uint32_t vpid = 0, tty_dev = 0;
  uint32_t uid = 0, euid = 0, gid = 0, loginuid = 0xffffffffu;
  uint64_t mntns = 0, pidns = 0;
  std::string_view cgroup_text;  // /proc/PID/cgroup; empty = unreadable
};

// The seed of a snapshot (views into it); entity, parent_entity and start_ns are the caller's.
SeedInput SeedInputFrom(const ProcSnapshot& snapshot);

// ---- the tree's records -----------------------------------------------------------------------
// Shared by every process of one container; updated in place when late pod metadata arrives, so
// children that inherited the record at fork see it too (FIELD-LESSONS 5).
struct ContainerInfo {
  ContainerIdentity identity;
  PodMetadata pod;
  bool pod_expected = false;  // the cgroup names a pod: metadata is awaited until read
  bool pod_known = false;
  bool pod_gave_up = false;  // looked for during max_pod_lookups ticks in vain
  uint32_t pod_lookups = 0;
  uint64_t last_lookup_tick = ~0ULL;
};

enum ProcessFlags : uint16_t {
  kProcExited = 1u << 0,
  kProcForkSeen = 1u << 1,
  kProcExecSeen = 1u << 2,
  kProcSeeded = 1u << 3,
  kProcArgsTruncated = 1u << 4,
  kProcImageUnknown = 1u << 5,      // no fork, exec or seed described it yet
  kProcPlacementUnknown = 1u << 6,  // its cgroup could not be read yet
  kProcExitMissed = 1u << 7,        // marked exited because its pid was reused
  kProcCountedByParent = 1u << 8,   // included in its parent's `children`
  kProcHeld = 1u << 9,              // exited, kept while live descendants need its lineage
  kProcInLru = 1u << 10,            // exited, in the grace-period LRU
  kProcEnvKnown = 1u << 11,         // env holds what an exec reported (inherited at fork)
  kProcEnvTruncated = 1u << 12,     // ... and the kernel could not report all of it
};

// Calls f with each string of NUL-separated `all` (none when it is empty; a last string without
// its NUL included), as ArgList() splits them.
template <class F>
void ForEachNulSeparated(std::string_view all, F& f) {
  if (all.empty()) return;
  for (size_t start = 0;;) {
    const size_t nul = all.find('\0', start);
    if (nul == std::string_view::npos) {
      f(all.substr(start));
      return;
    }
    f(all.substr(start, nul - start));
    start = nul + 1;
  }
}

struct Process {
  uint64_t entity = 0;
  uint64_t parent_entity = 0;
  uint64_t start_ns = 0;
  uint64_t exit_ns = 0;
  uint64_t mntns = 0, pidns = 0, cgroup_id = 0;
  uint32_t pid = 0, ppid = 0;
  uint32_t uid = 0, euid = 0, gid = 0, loginuid = 0xffffffffu;
  uint32_t exit_status = 0;
  uint32_t exec_count = 0;
  uint32_t vpid = 0;      // pid in its own pid namespace (exec or /proc); 0 = unknown
  uint32_t tty_dev = 0;   // controlling terminal (tty_nr encoding); 0 = none
  uint32_t children = 0;  // live (or held) processes in the tree naming this one as parent
  uint16_t flags = 0;
  Interned comm, exe, args, tty, cgroup_path;  // args: NUL-separated, bounded
  Interned cwd;                                // working directory at exec (or /proc read)
  Interned env;  // selected environment variables at exec, NAME=value, NUL-separated
  std::shared_ptr<ContainerInfo> container;  // null on the host
  uint32_t slot = 0;                         // storage slot (internal)
  uint32_t lru_prev = 0, lru_next = 0;       // exited LRU links, valid while kProcInLru

  bool exited() const { return flags & kProcExited; }
  bool has(uint16_t flag) const { return flags & flag; }
  std::vector<std::string_view> ArgList() const;
  std::vector<std::string_view> EnvList() const;
  std::string Cmdline() const;               // arguments joined with spaces
  void CmdlineInto(std::string& out) const;  // the same, in out's storage
  // The elements of ArgList() and EnvList(), one at a time, without building the list.
  template <class F>
  void ForEachArg(F&& f) const {
    ForEachNulSeparated(args.view(), f);
  }
  template <class F>
  void ForEachEnv(F&& f) const {
    ForEachNulSeparated(env.view(), f);
  }
};

// ---- limits and counters ----------------------------------------------------------------------
struct TreeLimits {
  size_t max_processes = 262144;               // live + exited
  size_t max_exited = 32768;                   // exited processes kept for late events
  uint64_t exit_grace_ns = 30'000'000'000ULL;  // how long an exited process stays resolvable
  // per process, NUL separators included; also what the kernel reads of an exec's arguments
  // (VIGIL_ARGV_DEFAULT, at most VIGIL_ARGV_CAP: bpf/events.h)
  size_t max_args_bytes = 16384;
  size_t max_string_bytes = 4096;  // comm, exe, tty, cgroup path
  size_t max_lineage_depth = 64;
  // Timer ticks (Expire calls) during which a container's pod metadata is looked for, at most
  // once per tick; then its events stop waiting and go out incomplete (a runtime that never
  // writes pod annotations, such as docker under cri-dockerd, must not delay every event).
  uint32_t max_pod_lookups = 20;
};

struct TreeStats {
  uint64_t forks = 0, execs = 0, exits = 0, seeded = 0;
  uint64_t exec_without_fork = 0;  // exec of a process never seen forking nor seeded
  uint64_t late_forks = 0;         // fork arriving after another event of the same process
  uint64_t exit_unknown = 0;       // exit of a process never seen
  uint64_t pid_reuse = 0;          // a new entity took a pid whose old process had no exit
  uint64_t expired = 0;            // exited processes removed after the grace period
  uint64_t evicted_exited = 0;     // exited processes removed early by max_exited/max_processes
  uint64_t refused_full = 0;       // new processes not tracked: max_processes of live ones
  uint64_t args_truncated = 0;     // argument lists cut to max_args_bytes
  uint64_t lineage_cycles = 0;     // ancestor walks that met a cycle (bad input)
  uint64_t lineage_truncated = 0;  // ancestor walks stopped at max_lineage_depth
  uint64_t placement_lookups = 0, placement_failures = 0;
  uint64_t pod_lookups = 0, pod_failures = 0;
  uint64_t pod_gave_up = 0;       // containers whose pod metadata was never found
  uint64_t recovered = 0;         // processes rebuilt from /proc after their events were missed
  uint64_t recover_failures = 0;  // ... not possible: gone, or the pid now names another process
  // The start-up reconcile (a second /proc read once the programs are attached):
  uint64_t reconciled_added = 0;   // processes started between the first read and the attach
  uint64_t reconciled_images = 0;  // seeded processes that exec'd between the read and the attach
};

// Every counter under a stable name (stats line on SIGUSR1, JSON status). A counter added to
// TreeStats must be added here too; the static_assert below catches a forgotten one.
template <class F>
void ForEachCounter(const TreeStats& s, F&& f) {
  f("forks", s.forks);
  f("execs", s.execs);
  f("exits", s.exits);
  f("seeded", s.seeded);
  f("exec_without_fork", s.exec_without_fork);
  f("late_forks", s.late_forks);
  f("exit_unknown", s.exit_unknown);
  f("pid_reuse", s.pid_reuse);
  f("expired", s.expired);
  f("evicted_exited", s.evicted_exited);
  f("refused_full", s.refused_full);
  f("args_truncated", s.args_truncated);
  f("lineage_cycles", s.lineage_cycles);
  f("lineage_truncated", s.lineage_truncated);
  f("placement_lookups", s.placement_lookups);
  f("placement_failures", s.placement_failures);
  f("pod_lookups", s.pod_lookups);
  f("pod_failures", s.pod_failures);
  f("pod_gave_up", s.pod_gave_up);
  f("recovered", s.recovered);
  f("recover_failures", s.recover_failures);
  f("reconciled_added", s.reconciled_added);
  f("reconciled_images", s.reconciled_images);
}
static_assert(sizeof(TreeStats) == 23 * sizeof(uint64_t), "update ForEachCounter(TreeStats)");

// ---- the tree ---------------------------------------------------------------------------------
class ProcessTree {
 public:
  // Entity for inputs that carry none: the bpf/entity.h hash by default.
  using EntityFn = uint64_t (*)(uint32_t tgid, uint64_t start_ns);

  explicit ProcessTree(TreeLimits limits = {}, MetadataSource* source = nullptr,
                       EntityFn entity_fn = nullptr);
  ProcessTree(const ProcessTree&) = delete;
  ProcessTree& operator=(const ProcessTree&) = delete;

  // Lifecycle. Each returns the process the event is about, or null when it could not be tracked
  // (max_processes of live processes; counted in refused_full).
  const Process* OnFork(const ForkInput& fork);
  const Process* OnExec(const ExecInput& exec);
  const Process* OnExit(const ExitInput& exit);
  const Process* Seed(const SeedInput& seed);
  // A process read from /proc again once the programs are attached (proc_seeder.h): one the
  // tree does not know is added (it started between the first read and the attach, so no event
  // told of it); a seeded one whose exec no event reported gets the image /proc shows now,
  // unless `exec_pending` (an exec event of it is about to be delivered: until then its image is
  // the seeded one). Events always win over /proc.
  const Process* Reconcile(const SeedInput& seed, bool exec_pending);

  // Pointers stay valid until the process is removed: by Expire, or by eviction when a later
  // OnFork/OnExec/Seed needs room. Use them within the handling of one event.
  const Process* Lookup(uint32_t pid) const;           // the live process with this pid
  const Process* LookupEntity(uint64_t entity) const;  // live or exited within the grace period

  // Lineage: bounded by max_lineage_depth and safe against cycles in bad input.
  const Process* Parent(const Process& process) const;
  struct Lineage {
    std::vector<const Process*> ancestors;  // nearest first: [0] is the parent
    bool truncated = false;                 // stopped at max_lineage_depth
    bool cycle = false;                     // stopped at a process already walked
    bool broken = false;                    // a parent is not (or no longer) known
  };
  Lineage Ancestors(const Process& process) const;
  // The same into `out`, whose list keeps its storage (one Lineage reused event after event).
  void Ancestors(const Process& process, Lineage* out) const;
  // proc.aname[n]: the n-th ancestor's name (1 = parent); "" when there is none.
  std::string_view AncestorName(const Process& process, size_t n) const;
  const Process* Ancestor(const Process& process, size_t n) const;

  // Context: known image, known cgroup placement and, inside a pod, its metadata. Events of a
  // process whose context is incomplete wait in the pending cache (pending_cache.h).
  // kComplete, kWait (something may still arrive) or kIncomplete (nothing more will).
  Resolution ContextOf(const Process& process) const;
  bool ContextComplete(const Process& process) const {
    return ContextOf(process) == Resolution::kComplete;
  }
  // Retries what is missing for `entity` (placement, pod metadata); true when complete now.
  // With the event's pid, a process the tree does not know at all (its fork event was lost, the
  // ring buffer overflowed) is rebuilt from /proc when /proc still shows the same entity.
  // Returns the context state after the retry (kWait while the process is unknown).
  Resolution RefreshContext(uint64_t entity, uint32_t pid = 0);
  const Process* Recover(uint32_t pid, uint64_t entity);

  // Removes exited processes whose grace period ended by now_ns (CLOCK_BOOTTIME, the events'
  // clock). Returns how many were removed. Call it from the same timer as the pending cache.
  size_t Expire(uint64_t now_ns);

  size_t size() const { return by_entity_.size(); }
  size_t live_count() const { return live_by_pid_.size(); }
  size_t exited_in_lru() const { return lru_size_; }
  size_t container_count() const { return containers_.size(); }
  const TreeStats& stats() const { return stats_; }
  const InternerStats& string_stats() const { return strings_.stats(); }
  const TreeLimits& limits() const { return limits_; }

 private:
  Process* Find(uint64_t entity);
  const Process* AddFromProc(const SeedInput& seed);
  void SetImageFromProc(Process& process, const SeedInput& seed);  // name, exe, args, ids
  uint64_t ResolveParentEntity(uint32_t ppid, uint64_t parent_entity) const;
  Process* Create(uint32_t pid, uint64_t entity);
  bool MakeRoom();
  Process* LinkParent(Process& process, uint64_t parent_entity);  // the parent, if known
  void InheritFrom(Process& child, const Process& parent);
  bool ReachesUp(const Process& from, uint64_t entity) const;  // bounded walk up from `from`
  bool ClaimPid(Process& process, uint64_t ts_ns);             // true: `process` itself was retired
  void MarkExited(Process& process, uint64_t ts_ns);
  void Release(Process& process);
  void Remove(Process& process);
  void LruPushBack(Process& process);
  void LruUnlink(Process& process);
  Process* LruFront();
  void SetArgs(Process& process, std::span<const std::string> args, bool truncated);
  void SetArgsJoined(Process& process, std::string_view joined);
  void ResolvePlacement(Process& process);
  void ApplyPlacement(Process& process, const CgroupPlacement& placement);
  std::shared_ptr<ContainerInfo> ContainerFor(const ContainerIdentity& identity);
  void LookupPod(ContainerInfo& info);
  uint64_t EntityOf(uint32_t pid, uint64_t given, uint64_t start_ns) const;

  TreeLimits limits_;
  MetadataSource* source_;
  EntityFn entity_fn_;
  // Declared first so it is destroyed last: processes hold handles into it.
  StringInterner strings_;
  std::unordered_map<std::string, std::shared_ptr<ContainerInfo>> containers_;
  // Processes live in slots with stable addresses (a deque never moves its elements); freed
  // slots are reused. Two flat indexes find them: entity -> slot, live pid -> entity.
  std::deque<Process> slots_;
  std::vector<uint32_t> free_slots_;
  FlatIndex<uint64_t, uint32_t> by_entity_;
  FlatIndex<uint32_t, uint64_t> live_by_pid_;
  // Exited processes in the grace period, oldest exit first (intrusive, through the slots).
  static constexpr uint32_t kNoSlot = 0xffffffffu;
  uint32_t lru_head_ = kNoSlot, lru_tail_ = kNoSlot;
  size_t lru_size_ = 0;
  uint64_t tick_ = 0;    // Expire calls so far: paces pod metadata lookups
  std::string scratch_;  // argument joining without a new buffer per exec
  mutable TreeStats stats_;
};

}  // namespace vigil::proctree
