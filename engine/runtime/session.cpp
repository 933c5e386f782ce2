#include "runtime/session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <unordered_set>

#include "bpf/events.h"
#include "kernel/event_types.h"
#include "kernel/tracefs.h"
#include "proctree/proc_seeder.h"

namespace vigil::runtime {
namespace {

constexpr uint64_t kWallSyncIntervalNs = 60'000'000'000;

proctree::RuntimeStateRoots RootsFrom(const SessionOptions& options) {
  proctree::RuntimeStateRoots roots;
  if (!options.runc_roots.empty()) roots.runc = options.runc_roots;
  return roots;
}

}  // namespace

uint64_t HostPidNamespace() {
  struct stat st {};
  if (stat("/proc/1/ns/pid", &st) == 0) return st.st_ino;
  const int err = errno;
  if (stat("/proc/self/ns/pid", &st) == 0) {
    spdlog::info("cannot read /proc/1/ns/pid ({}); taking vigil's own pid namespace as the host's",
                 std::strerror(err));
    return st.st_ino;
  }
  return 0;
}

Session::Session(SessionOptions options) : options_(std::move(options)) {}

Session::~Session() {
  Stop();
  reader_.reset();
  sensors_.reset();
}

Result<std::unique_ptr<Session>> Session::Open(SessionOptions options) {
  std::unique_ptr<Session> self(new Session(std::move(options)));
  auto clock = kernel::ProbeClock();
  if (!clock) return Error{clock.error()};
  self->clock_ = clock->source;
  spdlog::info("clock: {} ({})", kernel::ClockName(self->clock_), clock->reason);
  auto tracefs = kernel::EnsureTracefs();
  if (!tracefs) return Error{tracefs.error()};
  self->tracefs_root_ = tracefs.value();
  self->host_pidns_ = HostPidNamespace();
  if (auto names = kernel::ValidateEnvNames(self->options_.env_names); !names)
    return Error{"--env-names: " + names.error()};
  if (self->options_.process_tree) {
    self->metadata_ =
        std::make_unique<proctree::ProcMetadataSource>("/proc", RootsFrom(self->options_));
    self->tree_ =
        std::make_unique<proctree::ProcessTree>(self->options_.tree_limits, self->metadata_.get());
    EnricherOptions enrich;
    enrich.env_names = self->options_.env_names;
    enrich.host.fixed_name = self->options_.host_name;
    self->enricher_ =
        std::make_unique<EventEnricher>(*self->tree_, self->clock_, std::move(enrich));
  }
  return self;
}

compile::KernelPlanOptions Session::PlanOptions(uint32_t version, bool lifecycle_all) const {
  compile::KernelPlanOptions o;
  o.version = version;
  o.loaded_at_ns = kernel::ClockNowNs(clock_);
  o.host_pidns = host_pidns_;
  o.lifecycle_all = lifecycle_all;
  return o;
}

Status Session::LoadSensors(const kernel::KernelPlan& plan) {
  kernel::SensorOptions so;
  so.clock = clock_;
  so.tracefs_root = tracefs_root_;
  so.event_types = plan.event_types;
  if (options_.load_every_type)
    for (uint16_t t = 0; t < VIGIL_EVT_MAX; ++t)
      if (!kernel::IsLifecycleEvent(t)) so.loadable_types.insert(t);
  so.proc_info_entries = options_.proc_info_entries;
  so.ring_bytes = options_.ring_bytes;
  so.wakeup_bytes = options_.wakeup_bytes;
  so.process_event_rate = options_.process_event_rate;
  so.raw_syscalls_fallback = options_.raw_syscalls_fallback;
  // One limit for the arguments the kernel reads and those the tree keeps (`--max-args-bytes`).
  so.argv_max_bytes =
      static_cast<uint32_t>(std::min<size_t>(options_.tree_limits.max_args_bytes, VIGIL_ARGV_CAP));
  so.env_names = options_.env_names;
  so.before_load = options_.before_load;
  so.kill_protected_tgids = options_.kill_protected_tgids;
  so.kill_protected_exe_hashes = options_.kill_protected_exe_hashes;
  auto sensors = kernel::Sensors::Load(so);
  if (!sensors) return Error{sensors.error()};
  sensors_ = std::move(sensors.value());
  spdlog::info("proc_info holds {} processes", sensors_->proc_info_entries());
  return OkStatus();
}

Status Session::AttachAddedTypes(const kernel::KernelPlan& plan) {
  std::set<uint16_t> added;
  std::string missing;
  for (uint16_t t : plan.event_types) {
    if (sensors_->attached_types().count(t) || kernel::IsLifecycleEvent(t)) continue;
    if (!sensors_->Loaded(t))
      missing += std::string(missing.empty() ? "" : ", ") + kernel::EventTypeName(t);
    added.insert(t);
  }
  if (!missing.empty())
    return Error{fmt::format(
        "the new policy set selects {} events, whose BPF programs this kernel did not load "
        "(see the start-up log)",
        missing)};
  return added.empty() ? OkStatus() : sensors_->AttachTypes(added);
}

Status Session::Apply(const kernel::KernelPlan& plan) {
  if (!sensors_) {
    if (auto s = LoadSensors(plan); !s) return s;
  } else if (auto s = AttachAddedTypes(plan); !s) {
    return s;
  }
  if (auto s = sensors_->Apply(plan); !s) return s;
  // The previous version may still be read by a program that loaded the active version number
  // just before the flip; anything older cannot be.
  if (plan.version > 2) {
    auto retired = sensors_->RetireVersionsBefore(plan.version - 1);
    if (!retired) spdlog::warn("{}", retired.error());
  }
  return OkStatus();
}

void Session::OnRecord(const kernel::Event& event) {
  std::lock_guard lock(event_mu_);
  if (holding_) {
    if (held_.size() < kMaxHeldEvents) {
      held_.push_back(event);
      return;
    }
    ++held_overflow_;  // delivered now, against the tree as it is (counted)
  }
  Deliver(event);
}

void Session::Deliver(const kernel::Event& event) {
  if (enricher_) enricher_->Observe(event);
  handler_(event);
}

Status Session::Start(EventHandler handler) {
  if (!sensors_) return Error{"the session has no kernel plan yet (Apply comes before Start)"};
  handler_ = std::move(handler);
  SeedProcessTree();
  if (options_.after_seed) options_.after_seed();
  if (tree_) {
    std::lock_guard lock(event_mu_);
    holding_ = true;
  }
  // Readers first, so that nothing the programs deliver waits unread; the maps already hold the
  // first plan, so nothing runs against an empty configuration.
  auto reader =
      kernel::RingReader::Start({{"main", sensors_->events_fd(), {sensors_->scratch_fd()}},
                                 {"net", sensors_->net_events_fd(), {}}},
                                [this](const kernel::Event& e) { OnRecord(e); },
                                {.poll_timeout_ms = options_.reader_poll_ms,
                                 .asleep_flag = sensors_->reader_asleep_flag(),
                                 .idle_timeout_ms = options_.reader_idle_timeout_ms});
  if (!reader) return Error{reader.error()};
  reader_ = std::move(reader.value());
  if (auto s = sensors_->Attach(); !s) return s;
  spdlog::info("attached {} BPF programs", sensors_->attached_programs());
  ReconcileProcessTree();
  return OkStatus();
}

void Session::ReconcileProcessTree() {
  if (!tree_) return;
  // /proc is read without the lock (the reader holds events meanwhile); the tree is changed,
  // and the held events delivered, under it.
  auto scan = proctree::ScanProc({}, options_.tree_limits.max_args_bytes);
  std::lock_guard lock(event_mu_);
  if (scan) {
    std::unordered_set<uint32_t> exec_pending;
    for (const kernel::Event& e : held_)
      if (e.type == VIGIL_EVT_EXEC) exec_pending.insert(e.pid);
    const auto report = proctree::ReconcileFromScan(
        *tree_, scan.value(), [&](uint32_t pid) { return exec_pending.count(pid) != 0; });
    spdlog::info(
        "process tree reconciled after the attach: {} processes added, {} images updated; "
        "{} events held meanwhile",
        report.added, report.images, held_.size());
  } else {
    spdlog::warn("process tree not reconciled after the attach: {}", scan.error());
  }
  holding_ = false;
  held_total_ = held_.size();
  for (const kernel::Event& e : held_) Deliver(e);
  std::vector<kernel::Event>().swap(held_);
}

void Session::SeedProcessTree() {
  if (!tree_) return;
  // Before the programs are attached, so that the first events find their processes. What
  // changes between this read and the attach is caught by ReconcileProcessTree.
  std::lock_guard lock(event_mu_);
  if (auto seeded = proctree::SeedFromProc(*tree_); seeded) {
    spdlog::info("process tree seeded from /proc: {} processes ({} unreadable, {} vanished)",
                 seeded->seeded, seeded->unreadable, seeded->vanished);
  } else {
    spdlog::warn("process tree not seeded: {}", seeded.error());
  }
  next_wall_sync_ns_ = kernel::ClockNowNs(clock_) + kWallSyncIntervalNs;
}

void Session::Stop() {
  if (reader_) reader_->Stop();
}

void Session::DetachAfterExit() {
  if (!sensors_) return;
  if (auto s = sensors_->DetachAfterExit(); !s)
    spdlog::warn("detaching the BPF programs here ({})", s.error());
}

void Session::Tick(const std::function<void()>& also) {
  std::lock_guard lock(event_mu_);
  const uint64_t now = kernel::ClockNowNs(clock_);
  if (tree_) tree_->Expire(now);  // first: its tick paces the pod metadata lookups
  if (enricher_ && now >= next_wall_sync_ns_) {
    enricher_->SyncWallClock();
    next_wall_sync_ns_ = now + kWallSyncIntervalNs;
  }
  if (also) also();
}

uint64_t Session::events_delivered() const {
  uint64_t total = 0;
  for (uint16_t t = 0; t < VIGIL_EVT_MAX; ++t) total += reader_ ? reader_->events_of_type(t) : 0;
  return total;
}

std::string Session::StatsLine() const {
  std::string out = "events";
  auto add = std::back_inserter(out);
  for (uint16_t t = 0; t < VIGIL_EVT_MAX; ++t)
    if (const uint64_t n = reader_ ? reader_->events_of_type(t) : 0)
      fmt::format_to(add, " {}={}", kernel::EventTypeName(t), n);
  fmt::format_to(add, " total={}; buffers main={} net={}", events_delivered(),
                 reader_ ? reader_->records_from(0) : 0, reader_ ? reader_->records_from(1) : 0);
  if (reader_) {
    const kernel::IdleStats idle = reader_->idle_stats();
    fmt::format_to(add, "; reader polls={} timeouts={} idle_entered={} idle_woken={} idle_late={}",
                   idle.polls, idle.timeouts, idle.entered, idle.woken, idle.late);
  }
  if (sensors_) {
    const kernel::KernelStats k = sensors_->ReadStats();
    fmt::format_to(add, "; drops main={} net={}", k[VIGIL_STAT_DROP_MAIN], k[VIGIL_STAT_DROP_NET]);
    fmt::format_to(add, "; decode_errors={}; kernel", reader_ ? reader_->decode_errors() : 0);
    for (int i = VIGIL_STAT_FILTERED; i < VIGIL_STAT_MAX; ++i)
      fmt::format_to(add, " {}={}", kernel::StatName(i), k[i]);
    fmt::format_to(add, "; proc_info_size={}", sensors_->proc_info_entries());
    const auto& fallback = sensors_->fallback_syscalls();
    for (size_t i = 0; i < fallback.size(); ++i)
      out += (i ? "," : "; raw_syscalls_fallback=") + fallback[i];
    const auto unseen = sensors_->UnseenSelected();
    for (size_t i = 0; i < unseen.size(); ++i) out += (i ? "," : "; not_seen=") + unseen[i];
  }
  if (tree_) {
    std::lock_guard lock(event_mu_);
    fmt::format_to(add, "; processes={} unknown_process={}", tree_->size(),
                   enricher_->stats().unknown_process);
    fmt::format_to(add, "; start held={} held_overflow={}; tree", held_total_, held_overflow_);
    // The tree's counters, limit hits included (refused_full, evicted_exited, args_truncated):
    // every non-zero one, by name.
    proctree::ForEachCounter(tree_->stats(), [&](const char* name, uint64_t v) {
      if (v != 0) fmt::format_to(add, " {}={}", name, v);
    });
  }
  return out;
}

}  // namespace vigil::runtime
