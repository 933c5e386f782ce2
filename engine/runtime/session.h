// One running sensor session, the start-up that `vigil run`, `vigil trace` and `vigil record`
// share: the clock probe, tracefs, the kernel sensors (load, plan, attach), the ring buffer
// reader (one thread for every buffer), the process tree and the enrichment of each event from it,
// and the counters of all of these. What only the agent does (reload, judge, emit, kill, control
// socket) stays in engine/agent; what only trace and record do (write events) stays in engine/cli.
//
// Order of use: Open -> Apply(first plan) -> Start(handler) -> [Apply(later plans), Tick, ...]
// -> Stop. Start seeds the process tree from /proc before it attaches the programs, so that no
// event waits while /proc is read.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "compile/kernel_plan.h"
#include "kernel/clock.h"
#include "kernel/env_names.h"
#include "kernel/event.h"
#include "kernel/kernel_plan.h"
#include "kernel/ring_reader.h"
#include "kernel/sensors.h"
#include "proctree/metadata_source.h"
#include "proctree/process_tree.h"
#include "runtime/event_enricher.h"
#include "util/result.h"

struct bpf_object;

namespace vigil::runtime {

struct SessionOptions {
  // Load the programs of every event type at the first Apply, not only those its plan selects,
  // so that a later plan can attach them without reloading anything (the agent).
  bool load_every_type = false;
  uint32_t proc_info_entries = 0;  // 0: sized from the host
  uint32_t ring_bytes = 16u << 20;
  // When syscall records wake the ring buffer's reader (kernel::SensorOptions::wakeup_bytes).
  uint32_t wakeup_bytes = kernel::SensorOptions::kBatchedWakeup;
  // Selected syscall events per second each process may send (kernel::SensorOptions).
  uint32_t process_event_rate = kernel::kDefaultProcessEventRate;
  // Trace selected syscalls without a per-syscall tracepoint with the raw_syscalls fallback,
  // which runs on every syscall of the host (`--raw-syscalls`; kernel::SensorOptions).
  bool raw_syscalls_fallback = false;
  // The longest a record waits in a ring buffer while records flow (kernel::PollOptions): larger
  // costs less CPU per event and delays alerts more (`vigil run --read-interval-ms`).
  int reader_poll_ms = kernel::kDefaultPollTimeoutMs;
  // The ring reader's timeout once it is idle (kernel::PollOptions): the programs wake it for the
  // next record, so this only bounds a record whose wakeup was lost.
  int reader_idle_timeout_ms = kernel::RingReader::kIdlePollTimeoutMs;
  // Keep a process tree and enrich events from it. Off for consumers that only need the raw
  // kernel events (`vigil trace --format text`, the overhead benchmark).
  bool process_tree = true;
  proctree::TreeLimits tree_limits;
  std::vector<std::string> runc_roots;  // runc state folders for pod metadata (empty: defaults)
  // Environment variables an exec reports (`--env-names`; kernel/env_names.h).
  std::vector<std::string> env_names = kernel::DefaultEnvNames();
  // Called with the opened BPF object before each load attempt (see SensorOptions::before_load).
  std::function<void(bpf_object*)> before_load;
  // Called by Start between the first /proc read and the attach (the start-up window the
  // reconcile closes); the e2e test of that window starts and execs processes there.
  std::function<void()> after_seed;
  // Processes `action kill` never kills at exec (kernel::SensorOptions::kill_protected_*).
  std::vector<uint32_t> kill_protected_tgids;
  std::vector<uint64_t> kill_protected_exe_hashes;
  // host.name for every event instead of the UTS host name (proctree::HostIdentityOptions).
  std::string host_name;
};

class Session {
 public:
  // Called for every delivered event, one at a time, with the session's event lock held and the
  // process tree already updated from the event: from the reader thread, or (the events held at
  // start-up) from the thread in Start. May call tree() and enricher(). The event is only valid
  // during the call (the reader decodes the next record into it).
  using EventHandler = std::function<void(const kernel::Event&)>;

  // Probes the clock, makes sure tracefs is mounted and reads the host's pid namespace. Nothing
  // is loaded yet.
  static Result<std::unique_ptr<Session>> Open(SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Options for building a plan of `version` on this session: load time on its clock, the host
  // pid namespace (for `container`), every process's lifecycle delivered when the process tree
  // needs it.
  compile::KernelPlanOptions PlanOptions(uint32_t version, bool lifecycle_all) const;

  // Makes `plan` the kernel's configuration. The first call loads the programs (those of the
  // plan's event types, or all with SessionOptions::load_every_type); a later one first attaches
  // the loaded programs of event types the plan adds, and fails, changing nothing, when the plan
  // selects a type whose programs are not loaded. Then the plan's map entries are written and
  // its version made active; versions before the previous one are retired.
  Status Apply(const kernel::KernelPlan& plan);

  // Seeds the process tree from /proc, starts the ring buffer reader, attaches the programs,
  // then reconciles the tree with a second /proc read: a process started, or exec'd, between the
  // first read and the attach has context from its first event on. Events that arrive before
  // the reconcile is done are held (up to kMaxHeldEvents) and delivered right after it, in
  // order. Call once, after the first Apply.
  Status Start(EventHandler handler);
  static constexpr size_t kMaxHeldEvents = 1u << 18;
  // Drains the ring buffers and stops the reader (the programs stay attached until the session
  // is destroyed). Idempotent.
  void Stop();
  // After Stop, when the owner is about to exit: the programs are detached by the kernel after
  // this process is gone (kernel::Sensors::DetachAfterExit), so exiting takes milliseconds,
  // not the seconds detaching takes.
  void DetachAfterExit();

  // Housekeeping for the owner's loop, every 100 ms or so: exited processes expire from the tree
  // and, once a minute, the wall clock offset is re-read. `also` runs under the same lock (the
  // agent retries its parked events there).
  void Tick(const std::function<void()>& also = {});

  // Runs `fn` with the event lock held: the tree, the enricher and whatever the handler touches
  // are single-threaded.
  template <class F>
  auto Locked(F&& fn) const {
    std::lock_guard lock(event_mu_);
    return fn();
  }
  // Only with the event lock held (in the handler, in Tick's `also`, or in Locked).
  proctree::ProcessTree& tree() { return *tree_; }
  EventEnricher& enricher() { return *enricher_; }
  bool has_process_tree() const { return enricher_ != nullptr; }

  kernel::ClockSource clock() const { return clock_; }
  uint64_t NowNs() const { return kernel::ClockNowNs(clock_); }
  const kernel::Sensors& sensors() const { return *sensors_; }
  bool loaded() const { return sensors_ != nullptr; }
  kernel::KernelStats kernel_stats() const { return sensors_->ReadStats(); }
  const kernel::RingReader* reader() const { return reader_.get(); }
  // Events handed to the handler so far (the reader's count, every type).
  uint64_t events_delivered() const;

  // One line of counters: events per type, records per buffer, drops per buffer, decode
  // errors, the kernel's counters, the proc_info size, the raw_syscalls fallback, and the
  // process tree's size and non-zero counters. No "stats:" prefix.
  std::string StatsLine() const;

 private:
  explicit Session(SessionOptions options);
  Status LoadSensors(const kernel::KernelPlan& plan);
  Status AttachAddedTypes(const kernel::KernelPlan& plan);
  void OnRecord(const kernel::Event& event);
  void Deliver(const kernel::Event& event);  // event lock held
  void SeedProcessTree();
  void ReconcileProcessTree();

  SessionOptions options_;
  kernel::ClockSource clock_ = kernel::ClockSource::kBoottime;
  std::string tracefs_root_;
  uint64_t host_pidns_ = 0;
  std::unique_ptr<kernel::Sensors> sensors_;
  std::unique_ptr<kernel::RingReader> reader_;
  EventHandler handler_;

  mutable std::mutex event_mu_;
  std::unique_ptr<proctree::ProcMetadataSource> metadata_;
  std::unique_ptr<proctree::ProcessTree> tree_;
  std::unique_ptr<EventEnricher> enricher_;
  uint64_t next_wall_sync_ns_ = 0;
  // Start-up (event lock): events held until the reconcile is done, and those past the bound,
  // which were delivered at once.
  bool holding_ = false;
  std::vector<kernel::Event> held_;
  uint64_t held_total_ = 0, held_overflow_ = 0;
};

// Inode of the host's pid namespace (/proc/1/ns/pid, or our own when PID 1's is unreadable).
uint64_t HostPidNamespace();

}  // namespace vigil::runtime
