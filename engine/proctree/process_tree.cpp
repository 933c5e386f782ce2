#include "proctree/process_tree.h"

#include <algorithm>

#include "proctree/entity.h"

namespace vigil::proctree {

namespace {

std::vector<std::string_view> SplitNul(std::string_view all) {
  std::vector<std::string_view> out;
  if (all.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t nul = all.find('\0', start);
    if (nul == std::string_view::npos) {
      out.push_back(all.substr(start));
      break;
    }
    out.push_back(all.substr(start, nul - start));
    start = nul + 1;
  }
  return out;
}

}  // namespace

std::vector<std::string_view> Process::ArgList() const {
  return SplitNul(args.view());
}

std::vector<std::string_view> Process::EnvList() const {
  return SplitNul(env.view());
}

std::string Process::Cmdline() const {
  std::string out;
  CmdlineInto(out);
  return out;
}

void Process::CmdlineInto(std::string& out) const {
  out.assign(args.view());
  std::replace(out.begin(), out.end(), '\0', ' ');
}

ProcessTree::ProcessTree(TreeLimits limits, MetadataSource* source, EntityFn entity_fn)
    : limits_(limits),
      source_(source),
      entity_fn_(entity_fn ? entity_fn : &EntityFromStartNs),
      strings_(limits.max_string_bytes > limits.max_args_bytes ? limits.max_string_bytes
                                                               : limits.max_args_bytes) {
  if (limits_.max_processes == 0) limits_.max_processes = 1;
  if (limits_.max_lineage_depth == 0) limits_.max_lineage_depth = 1;
}

// ---- lookups ----------------------------------------------------------------------------------

Process* ProcessTree::Find(uint64_t entity) {
  const uint32_t* slot = by_entity_.Find(entity);
  return slot ? &slots_[*slot] : nullptr;
}

const Process* ProcessTree::LookupEntity(uint64_t entity) const {
  const uint32_t* slot = by_entity_.Find(entity);
  return slot ? &slots_[*slot] : nullptr;
}

const Process* ProcessTree::Lookup(uint32_t pid) const {
  const uint64_t* entity = live_by_pid_.Find(pid);
  return entity ? LookupEntity(*entity) : nullptr;
}

uint64_t ProcessTree::EntityOf(uint32_t pid, uint64_t given, uint64_t start_ns) const {
  return given != 0 ? given : entity_fn_(pid, start_ns);
}

uint64_t ProcessTree::ResolveParentEntity(uint32_t ppid, uint64_t parent_entity) const {
  if (parent_entity != 0) return parent_entity;
  if (ppid == 0) return 0;
  const uint64_t* entity = live_by_pid_.Find(ppid);
  return entity ? *entity : 0;
}

// ---- bookkeeping ------------------------------------------------------------------------------

bool ProcessTree::MakeRoom() {
  if (by_entity_.size() < limits_.max_processes) return true;
  Process* oldest = LruFront();
  if (!oldest) {
    ++stats_.refused_full;
    return false;
  }
  ++stats_.evicted_exited;
  Remove(*oldest);
  return true;
}

Process* ProcessTree::Create(uint32_t pid, uint64_t entity) {
  if (entity == 0 || !MakeRoom()) return nullptr;
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  by_entity_.Insert(entity, slot);
  Process& process = slots_[slot];
  process.entity = entity;
  process.pid = pid;
  process.slot = slot;
  process.flags = kProcImageUnknown;
  return &process;
}

// ---- exited LRU (intrusive list through the slots) ------------------------------------------

void ProcessTree::LruPushBack(Process& process) {
  process.lru_prev = lru_tail_;
  process.lru_next = kNoSlot;
  if (lru_tail_ != kNoSlot) {
    slots_[lru_tail_].lru_next = process.slot;
  } else {
    lru_head_ = process.slot;
  }
  lru_tail_ = process.slot;
  process.flags |= kProcInLru;
  ++lru_size_;
}

void ProcessTree::LruUnlink(Process& process) {
  if (!process.has(kProcInLru)) return;
  if (process.lru_prev != kNoSlot) {
    slots_[process.lru_prev].lru_next = process.lru_next;
  } else {
    lru_head_ = process.lru_next;
  }
  if (process.lru_next != kNoSlot) {
    slots_[process.lru_next].lru_prev = process.lru_prev;
  } else {
    lru_tail_ = process.lru_prev;
  }
  process.flags = static_cast<uint16_t>(process.flags & ~kProcInLru);
  --lru_size_;
}

Process* ProcessTree::LruFront() {
  return lru_head_ == kNoSlot ? nullptr : &slots_[lru_head_];
}

Process* ProcessTree::LinkParent(Process& process, uint64_t parent_entity) {
  if (parent_entity == 0 || parent_entity == process.entity) {
    // Bad input may name the process as its own parent: recorded, never followed.
    if (process.parent_entity == 0) process.parent_entity = parent_entity;
    return nullptr;
  }
  Process* parent = Find(parent_entity);
  if (process.has(kProcCountedByParent)) {
    if (process.parent_entity == 0) process.parent_entity = parent_entity;
    return parent;
  }
  process.parent_entity = parent_entity;
  // A late link (the process already has children) could close a cycle in bad input; a counted
  // cycle would hold its members forever, so such a link is recorded but not counted.
  if (parent && process.children > 0 && ReachesUp(*parent, process.entity)) {
    ++stats_.lineage_cycles;
    return parent;
  }
  // Only a process that is live (or held for its own descendants) holds its parent.
  if (parent && (!process.exited() || process.has(kProcHeld))) {
    ++parent->children;
    process.flags |= kProcCountedByParent;
    // A child linked late to a parent already ageing out in the LRU: hold it (and its exited
    // ancestors) again, so the live child keeps its lineage.
    Process* current = parent;
    while (current && current->has(kProcInLru)) {
      LruUnlink(*current);
      current->flags |= kProcHeld;
      Process* up = nullptr;
      if (!current->has(kProcCountedByParent) && current->parent_entity != current->entity) {
        up = Find(current->parent_entity);
        if (up) {
          ++up->children;
          current->flags |= kProcCountedByParent;
        }
      }
      current = up;
    }
  }
  return parent;
}

bool ProcessTree::ReachesUp(const Process& from, uint64_t entity) const {
  const Process* current = &from;
  for (size_t depth = 0; current && depth <= limits_.max_lineage_depth; ++depth) {
    if (current->entity == entity) return true;
    current = Parent(*current);
  }
  return false;
}

void ProcessTree::InheritFrom(Process& child, const Process& parent) {
  child.exe = parent.exe;
  child.args = parent.args;
  child.tty = parent.tty;
  child.tty_dev = parent.tty_dev;
  child.cwd = parent.cwd;
  child.env = parent.env;
  child.cgroup_path = parent.cgroup_path;
  child.uid = parent.uid;
  child.euid = parent.euid;
  child.gid = parent.gid;
  child.loginuid = parent.loginuid;
  child.mntns = parent.mntns;
  child.pidns = parent.pidns;
  child.cgroup_id = parent.cgroup_id;
  // Container and pod at once, exec or not (FIELD-LESSONS 5).
  child.container = parent.container;
  constexpr uint16_t kInherited =
      kProcArgsTruncated | kProcPlacementUnknown | kProcEnvKnown | kProcEnvTruncated;
  child.flags = static_cast<uint16_t>((child.flags & ~kInherited) | (parent.flags & kInherited));
  if (child.comm.empty()) child.comm = parent.comm;
}

bool ProcessTree::ClaimPid(Process& process, uint64_t ts_ns) {
  auto [owner, inserted] = live_by_pid_.Insert(process.pid, process.entity);
  if (!owner || inserted || *owner == process.entity) return false;
  // Two processes claim one pid: the one that started later owns it, the other is gone even
  // though its exit was never seen (lost, or still on its way).
  Process* other = Find(*owner);
  Process* gone = &process;
  if (!other || other->exited() || other->start_ns <= process.start_ns) {
    *owner = process.entity;
    gone = other;
  }
  if (!gone || gone->exited()) return false;
  ++stats_.pid_reuse;
  gone->flags |= kProcExitMissed;
  const bool retired_self = gone == &process;
  MarkExited(*gone, ts_ns);
  return retired_self;
}

void ProcessTree::MarkExited(Process& process, uint64_t ts_ns) {
  if (process.exited()) return;
  process.flags |= kProcExited;
  process.exit_ns = ts_ns;
  live_by_pid_.EraseIfValue(process.pid, process.entity);
  if (process.children > 0) {
    process.flags |= kProcHeld;  // kept while live descendants need it for their lineage
    return;
  }
  Release(process);
}

void ProcessTree::Release(Process& process) {
  // Into the grace-period LRU; the parent loses a holder, and when that was its last one and it
  // has exited too, it follows (after this process, so it never goes before its child).
  Process* current = &process;
  while (current) {
    current->flags = static_cast<uint16_t>(current->flags & ~kProcHeld);
    LruPushBack(*current);
    Process* parent = nullptr;
    if (current->has(kProcCountedByParent)) {
      current->flags = static_cast<uint16_t>(current->flags & ~kProcCountedByParent);
      parent = Find(current->parent_entity);
      if (parent && parent->children > 0) --parent->children;
      if (!parent || parent->children > 0 || !parent->has(kProcHeld)) parent = nullptr;
    }
    current = parent;
  }
  // May remove `process` itself when max_exited is tiny; callers look it up again.
  while (lru_size_ > limits_.max_exited) {
    ++stats_.evicted_exited;
    Remove(*LruFront());
  }
}

void ProcessTree::Remove(Process& process) {
  LruUnlink(process);
  live_by_pid_.EraseIfValue(process.pid, process.entity);
  if (process.has(kProcCountedByParent)) {
    // Processes leave through the LRU, uncounted; this only keeps counts right if that changes.
    Process* parent = Find(process.parent_entity);
    if (parent && parent->children > 0) --parent->children;
  }
  by_entity_.Erase(process.entity);
  const uint32_t slot = process.slot;
  process = Process{};  // drops its strings and container reference now
  free_slots_.push_back(slot);
}

void ProcessTree::SetArgsJoined(Process& process, std::string_view joined) {
  if (joined.size() > limits_.max_args_bytes) {
    joined = joined.substr(0, limits_.max_args_bytes);
    process.flags |= kProcArgsTruncated;
    ++stats_.args_truncated;
  }
  process.args = strings_.Intern(joined);
}

void ProcessTree::SetArgs(Process& process, std::span<const std::string> args, bool truncated) {
  scratch_.clear();
  bool cut = false;
  for (size_t i = 0; i < args.size(); ++i) {
    size_t need = args[i].size() + (i > 0 ? 1 : 0);
    if (scratch_.size() + need > limits_.max_args_bytes) {
      size_t room = limits_.max_args_bytes - scratch_.size();
      if (i > 0 && room > 0) {
        scratch_.push_back('\0');
        --room;
      }
      scratch_.append(args[i], 0, room);
      cut = true;
      break;
    }
    if (i > 0) scratch_.push_back('\0');
    scratch_.append(args[i]);
  }
  process.flags = static_cast<uint16_t>(process.flags & ~kProcArgsTruncated);
  if (cut) ++stats_.args_truncated;
  if (cut || truncated) process.flags |= kProcArgsTruncated;
  process.args = strings_.Intern(scratch_);
}

// ---- container placement and pod metadata ---------------------------------------------------

void ProcessTree::LookupPod(ContainerInfo& info) {
  if (!source_ || info.pod_known || info.pod_gave_up || info.last_lookup_tick == tick_) return;
  info.last_lookup_tick = tick_;
  ++info.pod_lookups;
  ++stats_.pod_lookups;
  std::string runtime;
  Result<PodMetadata> pod = source_->PodOf(info.identity, &runtime);
  if (info.identity.runtime.empty() && !runtime.empty()) info.identity.runtime = runtime;
  if (pod && !pod->empty()) {
    info.pod = std::move(pod.value());
    info.pod_known = true;
    return;
  }
  // Not (yet) a pod, but what the spec says of the container itself (image, privileges) holds.
  if (pod && (pod->spec_read || !pod->image.empty() || !pod->container_name.empty()))
    info.pod = std::move(pod.value());
  ++stats_.pod_failures;
  if (info.pod_expected && info.pod_lookups >= limits_.max_pod_lookups) {
    info.pod_gave_up = true;
    ++stats_.pod_gave_up;
  }
}

std::shared_ptr<ContainerInfo> ProcessTree::ContainerFor(const ContainerIdentity& identity) {
  if (!identity.in_container()) return nullptr;
  auto [it, inserted] = containers_.try_emplace(identity.id);
  if (inserted || !it->second) {
    auto info = std::make_shared<ContainerInfo>();
    info->identity = identity;
    info->pod_expected = !identity.pod_uid.empty();
    LookupPod(*info);
    it->second = std::move(info);
  }
  return it->second;
}

void ProcessTree::ApplyPlacement(Process& process, const CgroupPlacement& placement) {
  process.cgroup_path = strings_.Intern(placement.path);
  // A seeded process learns the id the kernel will report for its cgroup, so that its children's
  // exec events, which carry that id, need no /proc read (short-lived ones would be gone).
  if (process.cgroup_id == 0 && placement.cgroup_id != 0) process.cgroup_id = placement.cgroup_id;
  process.container = ContainerFor(placement.container);
  process.flags = static_cast<uint16_t>(process.flags & ~kProcPlacementUnknown);
}

void ProcessTree::ResolvePlacement(Process& process) {
  if (!source_) return;
  ++stats_.placement_lookups;
  Result<CgroupPlacement> placement = source_->PlacementOf(process.pid);
  // Gone from /proc already (short-lived): the kernel's cgroup id still says where it ran.
  if (!placement && process.cgroup_id != 0)
    placement = source_->PlacementOfCgroup(process.cgroup_id);
  if (!placement) {
    ++stats_.placement_failures;
    process.flags |= kProcPlacementUnknown;
    return;
  }
  ApplyPlacement(process, placement.value());
}

Resolution ProcessTree::ContextOf(const Process& process) const {
  if (process.has(kProcImageUnknown)) return Resolution::kWait;  // a late fork may come
  if (process.has(kProcPlacementUnknown)) {
    // An exited process's cgroup can no longer be read.
    return process.exited() ? Resolution::kIncomplete : Resolution::kWait;
  }
  const ContainerInfo* info = process.container.get();
  if (!info || !info->pod_expected || info->pod_known) return Resolution::kComplete;
  return info->pod_gave_up ? Resolution::kIncomplete : Resolution::kWait;
}

const Process* ProcessTree::Recover(uint32_t pid, uint64_t entity) {
  if (!source_ || pid == 0) return nullptr;
  Result<ProcessRecord> record = source_->ReadProcess(pid, limits_.max_args_bytes + 1);
  if (!record || record->entity != entity) {
    ++stats_.recover_failures;
    return nullptr;
  }
  SeedInput seed = SeedInputFrom(record->snapshot);
  seed.entity = entity;
  seed.start_ns = record->start_ns;
  seed.parent_entity = ResolveParentEntity(seed.ppid, 0);
  const Process* process = AddFromProc(seed);
  if (process) ++stats_.recovered;
  return process;
}

Resolution ProcessTree::RefreshContext(uint64_t entity, uint32_t pid) {
  Process* process = Find(entity);
  if (!process && pid != 0 && Recover(pid, entity)) process = Find(entity);
  if (!process) return Resolution::kWait;
  if (process->has(kProcPlacementUnknown) && !process->exited()) ResolvePlacement(*process);
  if (process->container && process->container->pod_expected) LookupPod(*process->container);
  return ContextOf(*process);
}

// ---- lifecycle --------------------------------------------------------------------------------

const Process* ProcessTree::OnFork(const ForkInput& fork) {
  ++stats_.forks;
  const uint64_t entity = EntityOf(fork.pid, fork.entity, fork.start_ns);
  const uint64_t parent_entity = ResolveParentEntity(fork.ppid, fork.parent_entity);
  Process* process = Find(entity);
  const bool existed = process != nullptr;
  if (!process) process = Create(fork.pid, entity);
  if (!process) return nullptr;
  if (existed) ++stats_.late_forks;

  process->ppid = fork.ppid;
  process->start_ns = fork.start_ns;
  const Process* parent = LinkParent(*process, parent_entity);
  if (process->has(kProcImageUnknown)) {
    process->comm = strings_.Intern(fork.comm);
    if (parent) {
      InheritFrom(*process, *parent);
      process->flags = static_cast<uint16_t>(process->flags & ~kProcImageUnknown);
    } else {
      // Parent unknown: what the fork says is all there is; placement must be read.
      process->uid = fork.uid;
      process->gid = fork.gid;
      process->flags = static_cast<uint16_t>(process->flags & ~kProcImageUnknown);
      process->flags |= kProcPlacementUnknown;
      if (!process->exited()) ResolvePlacement(*process);
    }
  } else if (!process->container && parent && parent->container &&
             process->has(kProcPlacementUnknown)) {
    process->container = parent->container;
    process->flags = static_cast<uint16_t>(process->flags & ~kProcPlacementUnknown);
  }
  process->flags |= kProcForkSeen;
  // A stale claimer of a pid is retired by ClaimPid (and may be evicted with it).
  if (!process->exited() && ClaimPid(*process, fork.ts_ns)) return Find(entity);
  return process;
}

const Process* ProcessTree::OnExec(const ExecInput& exec) {
  ++stats_.execs;
  const uint64_t entity = EntityOf(exec.pid, exec.entity, exec.start_ns);
  Process* process = Find(entity);
  if (!process) {
    process = Create(exec.pid, entity);
    if (!process) return nullptr;
    ++stats_.exec_without_fork;
    const uint64_t parent_entity = ResolveParentEntity(exec.ppid, exec.parent_entity);
    if (const Process* parent = LinkParent(*process, parent_entity)) {
      InheritFrom(*process, *parent);
    } else {
      process->flags |= kProcPlacementUnknown;
    }
  } else if (process->parent_entity == 0) {
    LinkParent(*process, ResolveParentEntity(exec.ppid, exec.parent_entity));
  }
  process->ppid = exec.ppid;
  process->start_ns = exec.start_ns;
  process->comm = strings_.Intern(exec.comm);
  process->exe = strings_.Intern(exec.exe);
  process->tty = strings_.Intern(exec.tty);
  process->tty_dev = exec.tty_dev;
  process->cwd = strings_.Intern(exec.cwd);
  process->vpid = exec.vpid;
  scratch_.clear();
  for (size_t i = 0; i < exec.env.size(); ++i) {
    if (i > 0) scratch_.push_back('\0');
    scratch_.append(exec.env[i]);
  }
  process->env = strings_.Intern(scratch_);
  process->flags = static_cast<uint16_t>(process->flags & ~kProcEnvTruncated);
  process->flags |= kProcEnvKnown;
  if (exec.env_truncated) process->flags |= kProcEnvTruncated;
  SetArgs(*process, exec.args, exec.args_truncated);
  process->uid = exec.uid;
  process->euid = exec.euid;
  process->gid = exec.gid;
  process->loginuid = exec.loginuid;
  process->mntns = exec.mntns;
  process->pidns = exec.pidns;
  ++process->exec_count;
  process->flags = static_cast<uint16_t>(process->flags & ~kProcImageUnknown);
  process->flags |= kProcExecSeen;
  // A new cgroup (runc's init moved into the container before exec'ing its entrypoint) or an
  // unknown one: read where the process lives now.
  const bool moved =
      exec.cgroup_id != 0 && process->cgroup_id != 0 && exec.cgroup_id != process->cgroup_id;
  const bool unknown_cgroup = exec.cgroup_id != 0 && process->cgroup_id == 0;
  if (exec.cgroup_id != 0) process->cgroup_id = exec.cgroup_id;
  if (moved || unknown_cgroup || process->has(kProcPlacementUnknown)) {
    ResolvePlacement(*process);
    // Seeded processes know their cgroup path but not its id: learn it from a child in the same
    // cgroup, so the parent's next children need no /proc read.
    Process* parent = unknown_cgroup ? Find(process->parent_entity) : nullptr;
    if (parent && parent->cgroup_id == 0 && !process->has(kProcPlacementUnknown) &&
        !parent->cgroup_path.empty() && parent->cgroup_path.SameAs(process->cgroup_path)) {
      parent->cgroup_id = exec.cgroup_id;
    }
  }
  if (!process->exited() && ClaimPid(*process, exec.ts_ns)) return Find(entity);
  return process;
}

const Process* ProcessTree::OnExit(const ExitInput& exit) {
  ++stats_.exits;
  const uint64_t entity = EntityOf(exit.pid, exit.entity, exit.start_ns);
  Process* process = Find(entity);
  if (!process) {
    // Never seen: keep a record so a late fork or event still finds the process.
    process = Create(exit.pid, entity);
    if (!process) return nullptr;
    ++stats_.exit_unknown;
    process->start_ns = exit.start_ns;
  }
  process->exit_status = exit.exit_status;
  MarkExited(*process, exit.ts_ns);
  return Find(entity);  // null only when max_exited is 0
}

const Process* ProcessTree::Seed(const SeedInput& seed) {
  ++stats_.seeded;
  return AddFromProc(seed);
}

const Process* ProcessTree::Reconcile(const SeedInput& seed, bool exec_pending) {
  const uint64_t entity = EntityOf(seed.pid, seed.entity, seed.start_ns);
  Process* process = Find(entity);
  if (!process) {
    const Process* added = AddFromProc(seed);
    if (added) ++stats_.reconciled_added;
    return added;
  }
  if (exec_pending || process->exited() || !process->has(kProcSeeded) ||
      process->has(kProcExecSeen) || process->has(kProcImageUnknown))
    return process;
  if (process->exe.view() == seed.exe && process->comm.view() == seed.comm) return process;
  // It exec'd while nothing was attached: what /proc shows now is its image.
  SetImageFromProc(*process, seed);
  ++stats_.reconciled_images;
  return process;
}

void ProcessTree::SetImageFromProc(Process& process, const SeedInput& seed) {
  process.comm = strings_.Intern(seed.comm);
  process.exe = strings_.Intern(seed.exe);
  SetArgsJoined(process, seed.args);
  process.uid = seed.uid;
  process.euid = seed.euid;
  process.gid = seed.gid;
}

const Process* ProcessTree::AddFromProc(const SeedInput& seed) {
  const uint64_t entity = EntityOf(seed.pid, seed.entity, seed.start_ns);
  Process* process = Find(entity);
  if (process && !process->has(kProcImageUnknown)) {
    // Events got there first and are newer than /proc's view; only fill the gaps.
    if (process->parent_entity == 0) LinkParent(*process, seed.parent_entity);
    return process;
  }
  if (!process) process = Create(seed.pid, entity);
  if (!process) return nullptr;
  process->ppid = seed.ppid;
  process->start_ns = seed.start_ns;
  LinkParent(*process, seed.parent_entity);
  SetImageFromProc(*process, seed);
  process->loginuid = seed.loginuid;
  process->vpid = seed.vpid;
  process->tty_dev = seed.tty_dev;
  process->tty = strings_.Intern(TtyNameFromDevice(seed.tty_dev));
  process->cwd = strings_.Intern(seed.cwd);
  process->mntns = seed.mntns;
  process->pidns = seed.pidns;
  process->flags = static_cast<uint16_t>(process->flags & ~kProcImageUnknown);
  process->flags |= kProcSeeded;
  if (seed.cgroup_text.empty()) {
    process->flags |= kProcPlacementUnknown;
  } else if (source_) {
    ApplyPlacement(*process, source_->Place(seed.cgroup_text));
  } else {
    ApplyPlacement(*process, CgroupPlacement{std::string(PrimaryCgroupPath(seed.cgroup_text)),
                                             ContainerFromProcCgroup(seed.cgroup_text)});
  }
  if (!process->exited() && ClaimPid(*process, 0)) return Find(entity);
  return process;
}

SeedInput SeedInputFrom(const ProcSnapshot& snapshot) {
  SeedInput in;
  in.pid = snapshot.stat.pid;
  in.ppid = snapshot.stat.ppid;
  in.comm = snapshot.stat.comm;
  in.exe = snapshot.exe;
  in.cwd = snapshot.cwd;
  in.args = snapshot.args;
  in.vpid = snapshot.ids.vpid;
  in.tty_dev = static_cast<uint32_t>(snapshot.stat.tty_nr);
  in.uid = snapshot.ids.uid;
  in.euid = snapshot.ids.euid;
  in.gid = snapshot.ids.gid;
  in.loginuid = snapshot.loginuid;
  in.mntns = snapshot.mntns;
  in.pidns = snapshot.pidns;
  in.cgroup_text = snapshot.cgroup;
  return in;
}

// ---- lineage ----------------------------------------------------------------------------------

const Process* ProcessTree::Parent(const Process& process) const {
  if (process.parent_entity == 0 || process.parent_entity == process.entity) return nullptr;
  return LookupEntity(process.parent_entity);
}

ProcessTree::Lineage ProcessTree::Ancestors(const Process& process) const {
  Lineage lineage;
  Ancestors(process, &lineage);
  return lineage;
}

void ProcessTree::Ancestors(const Process& process, Lineage* out) const {
  Lineage& lineage = *out;
  lineage.ancestors.clear();
  lineage.truncated = lineage.cycle = lineage.broken = false;
  const Process* current = &process;
  while (true) {
    if (current->parent_entity == 0) break;
    const Process* parent = LookupEntity(current->parent_entity);
    if (!parent) {
      lineage.broken = true;
      break;
    }
    bool seen = parent == &process;
    for (const Process* a : lineage.ancestors) seen = seen || a == parent;
    if (seen) {
      lineage.cycle = true;
      ++stats_.lineage_cycles;
      break;
    }
    if (lineage.ancestors.size() == limits_.max_lineage_depth) {
      lineage.truncated = true;
      ++stats_.lineage_truncated;
      break;
    }
    lineage.ancestors.push_back(parent);
    current = parent;
  }
}

const Process* ProcessTree::Ancestor(const Process& process, size_t n) const {
  if (n == 0 || n > limits_.max_lineage_depth) return nullptr;
  // A cycle in bad input can only make the walk revisit processes; the depth bound ends it, and
  // a revisit of the start is reported like Ancestors() does.
  const Process* current = &process;
  for (size_t i = 0; i < n; ++i) {
    current = Parent(*current);
    if (!current) return nullptr;
    if (current == &process) {
      ++stats_.lineage_cycles;
      return nullptr;
    }
  }
  return current;
}

std::string_view ProcessTree::AncestorName(const Process& process, size_t n) const {
  const Process* ancestor = Ancestor(process, n);
  return ancestor ? ancestor->comm.view() : std::string_view();
}

// ---- expiry -----------------------------------------------------------------------------------

size_t ProcessTree::Expire(uint64_t now_ns) {
  ++tick_;
  size_t removed = 0;
  while (Process* oldest = LruFront()) {
    if (oldest->exit_ns + limits_.exit_grace_ns > now_ns) break;
    Remove(*oldest);
    ++stats_.expired;
    ++removed;
  }
  for (auto it = containers_.begin(); it != containers_.end();) {
    it = it->second.use_count() <= 1 ? containers_.erase(it) : std::next(it);
  }
  return removed;
}

}  // namespace vigil::proctree
