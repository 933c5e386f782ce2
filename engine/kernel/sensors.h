// The loaded kernel sensors: opens the vigil BPF object (skeleton), chooses which programs to load
// for the selected event types, loads and attaches them, writes kernel plans into the maps and
// reads the kernel's counters. Owns every BPF object, fd and link it creates.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bpf/events.h"
#include "kernel/clock.h"
#include "kernel/kernel_plan.h"
#include "util/result.h"

struct vigil_bpf;
struct bpf_link;
struct bpf_map;
struct bpf_object;

namespace vigil::kernel {

// The per-process event budget: its default rate and the window it is counted in.
constexpr uint32_t kDefaultProcessEventRate = 20000;
constexpr uint32_t kBudgetWindowMs = 100;

// A process that went over its event budget, and how many events were not sent since the last
// TakeThrottled.
struct ThrottledProcess {
  uint32_t tgid = 0;
  uint64_t entity = 0;
  uint64_t events = 0;
};

struct SensorOptions {
  ClockSource clock = ClockSource::kBoottime;
  std::string tracefs_root = "/sys/kernel/tracing";
  std::set<uint16_t> event_types;  // syscall and network event types to attach
  // Event types whose programs are loaded too, but attached only on request (AttachTypes), so
  // that a hot reload can start tracing a new event type without reloading anything.
  std::set<uint16_t> loadable_types;
  uint32_t proc_info_entries = 0;      // 0: sized from the host (DefaultProcInfoEntries)
  uint32_t ring_bytes = 16u << 20;     // main ring buffer
  uint32_t net_ring_bytes = 1u << 20;  // network ring buffer
  // Syscall records wake the reader only once this many bytes wait in the main ring buffer (the
  // reader polls every PollOptions::poll_timeout_ms while records flow, and an idle reader is woken
  // by the first record after it went idle); 0: the kernel's adaptive wakeup for
  // every record. Default (kBatchedWakeup): an eighth of ring_bytes.
  static constexpr uint32_t kBatchedWakeup = ~0u;
  uint32_t wakeup_bytes = kBatchedWakeup;
  // Bytes of an exec's argument list read by the kernel; clamped to [1, VIGIL_ARGV_CAP].
  uint32_t argv_max_bytes = VIGIL_ARGV_DEFAULT;
  // Environment variables an exec reports (kernel/env_names.h); empty: none, no scan.
  std::vector<std::string> env_names;
  // Selected syscall events per second each process may send (`--process-event-rate`), counted
  // in windows of kBudgetWindowMs; more are counted as throttled and not sent. 0: no limit.
  uint32_t process_event_rate = kDefaultProcessEventRate;
  // Serve selected syscalls that have no per-syscall tracepoint on this kernel with a
  // raw_syscalls program pair, which runs on every syscall of the host (`--raw-syscalls`,
  // docs/kernel.md). Off: such syscalls are not traced, and AttachTypes logs once per event type
  // which ones it cannot see and why.
  bool raw_syscalls_fallback = false;
  // Called with the opened object before each load attempt. The e2e test of the loader uses it
  // to replace a program's instructions with code the verifier rejects.
  std::function<void(bpf_object*)> before_load;
  // Processes an `action kill` rule never kills at exec (the kill_protected map): by tgid, and by
  // the path hash of their executable. PID 1 and kernel threads are protected in any case.
  std::vector<uint32_t> kill_protected_tgids;
  std::vector<uint64_t> kill_protected_exe_hashes;
};

// proc_info size from the host: pid_max clamped to [8192, 262144] plus per-CPU LRU slack.
uint32_t DefaultProcInfoEntries();

using KernelStats = std::array<uint64_t, VIGIL_STAT_MAX>;
const char* StatName(int stat);

class Sensors {
 public:
  // Opens, configures and loads the programs. Nothing is attached yet.
  static Result<std::unique_ptr<Sensors>> Load(const SensorOptions& options);
  ~Sensors();
  Sensors(const Sensors&) = delete;
  Sensors& operator=(const Sensors&) = delete;

  // Writes the plan's entries under its version, then makes that version active.
  Status Apply(const kernel::KernelPlan& plan);
  // Deletes every entry of versions older than `first_kept` (version_retire.cpp); returns how
  // many. Call it once events of those versions can no longer be decided.
  Result<size_t> RetireVersionsBefore(uint32_t first_kept);
  // Attaches the lifecycle programs and those of the selected event types; a program that fails
  // to attach is skipped with a log line, except the lifecycle ones, which vigil cannot run
  // without.
  Status Attach();
  // Lets the kernel detach the programs after this process has exited, so that exiting does not
  // wait for it (seconds): a child process named vigil-detach holds the descriptors until this
  // process is gone, then exits. Call it last, once nothing more is read. The active version
  // becomes 0 (no policy) first, so that the programs select and kill nothing meanwhile.
  Status DetachAfterExit();
  // Attaches the loaded programs of `types` not attached yet (a reload selected new types).
  Status AttachTypes(const std::set<uint16_t>& types);
  const std::set<uint16_t>& attached_types() const { return attached_types_; }
  // Whether the programs of an event type were loaded (selected, or in loadable_types).
  bool Loaded(uint16_t type) const { return loaded_types_.count(type) != 0; }

  int events_fd() const;
  int net_events_fd() const;
  int scratch_fd() const;  // discard-only ring (RingSource::discard_only_fds)
  // The programs' `reader_asleep` flag in the mmapped .bss (kernel::PollOptions::asleep_flag):
  // the main ring's next record clears it and wakes the reader. Valid while the object is loaded.
  __u64* reader_asleep_flag() const;
  KernelStats ReadStats() const;
  // The processes throttled since the last call, and their counts; each entry is read and
  // deleted at once, so nothing counted in between is lost.
  std::vector<ThrottledProcess> TakeThrottled() const;
  uint32_t proc_info_entries() const { return proc_info_entries_; }
  // Selected syscalls served by the raw_syscalls fallback (no per-syscall tracepoint), once its
  // programs are attached; empty before.
  const std::vector<std::string>& fallback_syscalls() const {
    static const std::vector<std::string> kNone;
    return fallback_attached_ ? fallbacks_ : kNone;
  }
  // Selected syscalls with no per-syscall tracepoint, left untraced because the raw_syscalls
  // fallback was not asked for (SensorOptions::raw_syscalls_fallback).
  const std::vector<std::string>& unseen_syscalls() const { return unseen_; }
  // Those of them whose event type is attached (selected): what the session cannot see.
  std::vector<std::string> UnseenSelected() const;
  const std::vector<std::string>& skipped_programs() const { return skipped_; }
  size_t attached_programs() const { return links_.size(); }

 private:
  Sensors() = default;
  // Load's steps: which programs to load (and what that leaves traced, on the raw_syscalls
  // fallback or skipped), and the syscall tables the shared programs read.
  bool WantsProgram(const std::string& name, const SensorOptions& options,
                    const std::set<uint16_t>& loadable);
  void SelectPrograms(const SensorOptions& options, const std::set<uint16_t>& loadable,
                      const std::set<std::string>& rejected);
  Status WriteSyscallTables();
  Status WriteKillProtected(const SensorOptions& options);
  // Apply's steps.
  Status WritePolicyConfig(const kernel::KernelPlan& plan);
  Status WriteScopeMaps(const kernel::KernelPlan& plan);
  Status WritePrefilter(const kernel::KernelPlan& plan);
  bpf_map* NumericScopeMap(vigil_scope_kind kind) const;

  vigil_bpf* skel_ = nullptr;
  std::vector<bpf_link*> links_;
  std::vector<std::string> traced_;  // selected syscalls
  std::vector<std::string> fallbacks_;
  std::vector<std::string> unseen_;
  std::set<uint16_t> unseen_logged_;  // event types whose blind spot was logged
  std::vector<std::string> skipped_;
  std::set<uint16_t> attach_types_;    // selected at load, attached by Attach()
  std::set<uint16_t> attached_types_;  // attached so far
  std::set<uint16_t> loaded_types_;    // event_types and loadable_types
  std::set<std::string> attached_;     // names of the programs attached
  bool fallback_attached_ = false;
  uint32_t proc_info_entries_ = 0;
};

}  // namespace vigil::kernel
