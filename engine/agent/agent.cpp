#include "agent/agent.h"

#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/policy_watcher.h"
#include "bpf/events.h"
#include "compile/kernel_plan.h"
#include "compile/plan_inputs.h"
#include "compile/rule_compiler.h"
#include "kernel/clock.h"
#include "kernel/event_types.h"
#include "kernel/tracefs.h"
#include "kernel/tracer.h"
#include "output/alert.h"
#include "output/lint_report.h"
#include "proctree/proc_seeder.h"

namespace vigil::agent {
namespace {

// How many versions of rule sets to keep for events still in flight after a flip.
constexpr size_t kVersionsKept = 4;

}  // namespace

namespace {

proctree::RuntimeStateRoots RootsFrom(const AgentOptions& options) {
  proctree::RuntimeStateRoots roots;
  if (!options.runc_roots.empty()) roots.runc = options.runc_roots;
  return roots;
}

}  // namespace

Agent::Agent(AgentOptions options)
    : options_(std::move(options)), metadata_("/proc", RootsFrom(options_)) {}

Agent::~Agent() {
  if (reader_) reader_->Stop();
  for (auto& s : sinks_) s->Stop();
}

Status Agent::Activate(std::shared_ptr<const lang::Program> program, uint32_t version) {
  // 1. Matchers.
  compile::RuleCompileOptions rule_options;
  rule_options.implicit_policy = true;
  auto compiled = compile::CompileRules(*program, rule_options);
  if (!compiled) return Error{output::ErrorText(program->sources, compiled.error())};
  std::shared_ptr<const match::RuleSet> rules = std::move(*compiled);

  // 2. Kernel plan: one entry per policy with the event types of the rules it selects.
  std::vector<compile::KernelPolicyInput> inputs = compile::KernelPolicyInputs(*program);
  compile::KernelPlanOptions plan_options;
  plan_options.version = version;
  plan_options.loaded_at_ns = kernel::ClockNowNs(clock_);
  plan_options.host_pidns = host_pidns_;
  plan_options.lifecycle_all = true;  // the process tree needs every fork, exec and exit
  auto built = compile::BuildKernelPlan(inputs, plan_options);
  if (!built) return Error{built.error()};
  const compile::KernelPlan& plan = *built;

  // 3. First load: the programs of every event type are loaded, those the policies select are
  //    attached. A later load attaches the loaded programs of newly selected types before the
  //    flip, so a reload can start tracing a type no policy used at start.
  if (!sensors_) {
    auto tracefs = kernel::EnsureTracefs();
    if (!tracefs) return Error{tracefs.error()};
    kernel::SensorOptions so;
    so.clock = clock_;
    so.tracefs_root = tracefs.value();
    so.event_types = plan.event_types;
    for (uint16_t t = 1; t < VIGIL_EVT_MAX; ++t)
      if (!kernel::IsLifecycleEvent(t)) so.loadable_types.insert(t);
    so.proc_info_entries = options_.proc_info_entries;
    auto sensors = kernel::Sensors::Load(so);
    if (!sensors) return Error{sensors.error()};
    sensors_ = std::move(sensors.value());
  } else {
    // Event types whose programs are loaded (at start) but not attached are attached before the
    // flip. A type whose programs this kernel could not load cannot be traced.
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
          "(see the agent's start-up log)",
          missing)};
    if (!added.empty())
      if (auto s = sensors_->AttachTypes(added); !s) return s;
  }

  // 4. Matchers for the new version first, so that its first event finds them; then the
  //    kernel entries and the flip.
  {
    std::lock_guard lock(event_mu_);
    rule_sets_[version] = rules;
  }
  if (auto s = sensors_->Apply(plan); !s) {
    std::lock_guard lock(event_mu_);
    rule_sets_.erase(version);
    return s;
  }
  {
    std::lock_guard lock(event_mu_);
    active_version_ = version;
    while (rule_sets_.size() > kVersionsKept) rule_sets_.erase(rule_sets_.begin());
  }
  // The previous version may still be read by a program that loaded the active version just
  // before the flip; anything older cannot be.
  if (version > 2) {
    auto retired = sensors_->RetireVersionsBefore(version - 1);
    if (!retired) spdlog::warn("{}", retired.error());
  }
  return OkStatus();
}

void Agent::OnEvent(const kernel::Event& event) {
  std::lock_guard lock(event_mu_);
  counters_.events.fetch_add(1, std::memory_order_relaxed);
  enricher_->Observe(event);
  // An event whose process (or its container's pod metadata) is not known yet waits in the
  // pending cache and is retried on the timer; it is never dropped (FIELD-LESSONS 5).
  const proctree::Process* p = event.entity ? tree_.LookupEntity(event.entity) : nullptr;
  if (!p) p = tree_.Lookup(event.pid);
  switch (p ? tree_.ContextOf(*p) : proctree::Resolution::kWait) {
    case proctree::Resolution::kComplete:
      Judge(event, true);
      break;
    case proctree::Resolution::kIncomplete:
      Judge(event, false);
      break;
    case proctree::Resolution::kWait:
      pending_->Add(event);
      break;
  }
}

void Agent::Judge(const kernel::Event& event, bool complete) {
  if (!enricher_->Fill(event, record_)) return;
  if (!complete) record_.set_incomplete(true);
  auto it = rule_sets_.find(event.policy_version);
  if (it == rule_sets_.end()) {
    // Lifecycle events of processes outside every scope carry no policy; anything else with an
    // unknown version is counted.
    if (event.matched != 0)
      counters_.unknown_version_events.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (event.policy_version != active_version_)
    counters_.old_version_events.fetch_add(1, std::memory_order_relaxed);
  const match::RuleSet& rules = *it->second;
  matches_.clear();
  rules.Evaluate(record_, scratch_, matches_);
  for (const auto& m : matches_) Emit(rules, m, record_, event.killed_in_kernel);
}

void Agent::Tick() {
  std::lock_guard lock(event_mu_);
  tree_.Expire(kernel::ClockNowNs(clock_));  // first: its tick paces the pod metadata lookups
  pending_->Poll();
}

void Agent::Emit(const match::RuleSet& rules, const match::RuleMatch& m,
                 const match::EventRecord& r, bool killed_in_kernel) {
  output::Alert alert = output::MakeAlert(rules, m, r);
  counters_.alerts.fetch_add(1, std::memory_order_relaxed);
  if (alert.action() == lang::ast::Action::kKill) {
    if (killed_in_kernel) {
      // The kernel decided the rule alone and sent SIGKILL at exec (docs/agent.md, "Actions").
      alert.killed_by = "kernel";
      counters_.kernel_kills.fetch_add(1, std::memory_order_relaxed);
    } else {
      auto pid = lang::FieldByName("proc.pid");
      pid_t target = pid && r.Has(*pid) ? static_cast<pid_t>(r.Int(*pid)) : 0;
      if (target > 1 && ::kill(target, SIGKILL) == 0) {
        alert.killed_by = "user";
        counters_.kills.fetch_add(1, std::memory_order_relaxed);
      } else {
        alert.killed_by = "failed";
        counters_.kill_failures.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
  std::string line =
      options_.alert_format == "text" ? output::AlertTextLine(alert) : output::AlertJsonLine(alert);
  if (!line.empty() && line.back() == '\n') line.pop_back();
  for (auto& sink : sinks_) sink->Push(line);
}

ReloadOutcome Agent::ReloadNow(const std::string& trigger) {
  std::lock_guard lock(reload_mu_);
  ReloadOutcome out = reloader_->Reload(trigger);
  if (out.ok) {
    spdlog::info("policy set version {} active ({}), reload took {:.1f} ms", out.version, trigger,
                 out.latency_ms);
  } else {
    spdlog::error("reload ({}) failed; version {} stays active:", trigger, out.version);
    for (const auto& e : out.errors) spdlog::error("  {}", e);
  }
  return out;
}

nlohmann::json Agent::HandleControl(const nlohmann::json& request) {
  std::string command = request.value("command", "");
  if (command == "status") {
    nlohmann::json status = reloader_->Status();
    status["ok"] = true;
    status["stats"] = StatsLine();
    if (sensors_) {
      nlohmann::json traced = nlohmann::json::array();
      for (uint16_t t : sensors_->attached_types()) traced.push_back(kernel::EventTypeName(t));
      status["traced_event_types"] = traced;
    }
    return status;
  }
  if (command == "reload") {
    ReloadOutcome out = ReloadNow("vigil reload");
    return {{"ok", out.ok},
            {"version", out.version},
            {"errors", out.errors},
            {"latency_ms", out.latency_ms}};
  }
  return {{"ok", false}, {"error", "unknown command '" + command + "' (status, reload)"}};
}

std::string Agent::StatsLine() const {
  std::string out = fmt::format("stats: version={} events={} alerts={} kills={} kernel_kills={}",
                                active_version_, counters_.events.load(), counters_.alerts.load(),
                                counters_.kills.load(), counters_.kernel_kills.load());
  if (counters_.kill_failures)
    out += fmt::format(" kill_failures={}", counters_.kill_failures.load());
  if (sensors_) {
    kernel::KernelStats k = sensors_->ReadStats();
    out += fmt::format("; drops main={} net={}", k[VIGIL_STAT_DROP_MAIN], k[VIGIL_STAT_DROP_NET]);
    out += "; kernel";
    for (int i = VIGIL_STAT_FILTERED; i < VIGIL_STAT_MAX; ++i)
      out += fmt::format(" {}={}", kernel::StatName(i), k[i]);
  }
  if (reader_) out += fmt::format("; decode_errors={}", reader_->decode_errors());
  out += fmt::format("; old_version_events={} unknown_version_events={}",
                     counters_.old_version_events.load(), counters_.unknown_version_events.load());
  {
    std::lock_guard lock(event_mu_);
    if (enricher_) out += fmt::format("; unknown_process={}", enricher_->stats().unknown_process);
    out += fmt::format("; processes={}", tree_.size());
    // The tree's counters, limit hits included (refused_full, evicted_exited, args_truncated):
    // every non-zero one, by name.
    out += "; tree";
    proctree::ForEachCounter(tree_.stats(), [&](const char* name, uint64_t v) {
      if (v != 0) out += fmt::format(" {}={}", name, v);
    });
    if (pending_) {
      const auto& ps = pending_->stats();
      out += fmt::format("; pending waiting={} resolved={} expired={} gave_up={} overflowed={}",
                         pending_->size(), ps.resolved, ps.expired, ps.gave_up, ps.overflowed);
    }
  }
  for (const auto& s : sinks_) {
    auto st = s->stats();
    out += fmt::format("; sink {} written={} dropped={} failed={}", s->Name(), st.written,
                       st.dropped_queue_full, st.failed_writes);
  }
  return out;
}

int Agent::Run() {
  // Signals are read from a signalfd by this thread; every other thread has them blocked.
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2}) sigaddset(&mask, sig);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  int sfd = ::signalfd(-1, &mask, SFD_CLOEXEC);
  if (sfd < 0) {
    spdlog::error("signalfd: {}", std::strerror(errno));
    return 1;
  }

  for (const auto& spec : options_.outputs) {
    auto sink = output::MakeSink(spec);
    if (!sink) {
      spdlog::error("{}", sink.error());
      ::close(sfd);
      return 2;
    }
    sinks_.push_back(std::make_unique<output::AsyncSink>(std::move(*sink), options_.sink_queue));
  }

  auto clock = kernel::ProbeClock();
  if (!clock) {
    spdlog::error("{}", clock.error());
    ::close(sfd);
    return 1;
  }
  clock_ = clock->source;
  spdlog::info("clock: {} ({})", kernel::ClockName(clock_), clock->reason);
  enricher_ = std::make_unique<EventEnricher>(tree_, clock_);
  host_pidns_ = kernel::HostPidNamespace();
  pending_ = std::make_unique<proctree::PendingCache<kernel::Event>>(
      proctree::PendingOptions{
          .capacity = 8192,
          .max_attempts = options_.pending_retries,
          .retry_interval_ns = uint64_t{options_.pending_interval_ms} * 1'000'000},
      [this] { return kernel::ClockNowNs(clock_); },
      [this](kernel::Event& e) { return tree_.RefreshContext(e.entity, e.pid); },
      [this](kernel::Event&& e, bool complete) { Judge(e, complete); });
  if (auto seeded = proctree::SeedFromProc(tree_); seeded) {
    spdlog::info("process tree seeded from /proc: {} processes ({} unreadable, {} vanished)",
                 seeded->seeded, seeded->unreadable, seeded->vanished);
  } else {
    spdlog::warn("process tree not seeded: {}", seeded.error());
  }

  reloader_ = std::make_unique<Reloader>(
      options_.policy_paths, !options_.allow_insecure_perms && ::geteuid() == 0,
      [this](std::shared_ptr<const lang::Program> p, uint32_t v) { return Activate(p, v); });
  ReloadOutcome first = ReloadNow("start");
  if (!first.ok) {
    ::close(sfd);
    return 1;
  }
  auto reader = kernel::RingReader::Start(
      {{"main", sensors_->events_fd()}, {"net", sensors_->net_events_fd()}},
      [this](const kernel::Event& e) { OnEvent(e); });
  if (!reader) {
    spdlog::error("{}", reader.error());
    ::close(sfd);
    return 1;
  }
  reader_ = std::move(reader.value());
  if (auto s = sensors_->Attach(); !s) {
    spdlog::error("{}", s.error());
    ::close(sfd);
    return 1;
  }
  spdlog::info("attached {} BPF programs; watching", sensors_->attached_programs());

  ControlServer control(options_.control_socket,
                        [this](const nlohmann::json& req) { return HandleControl(req); });
  if (auto started = control.Start(); !started)
    spdlog::warn("control socket: {}", started.error());
  else
    spdlog::info("control socket: {}", options_.control_socket);

  std::unique_ptr<PolicyWatcher> watcher;
  if (options_.watch_files) {
    watcher = std::make_unique<PolicyWatcher>(options_.policy_paths);
    if (auto started = watcher->Start(); !started) {
      spdlog::warn("not watching policy files: {}", started.error());
      watcher.reset();
    }
  }

  auto next_stats = std::chrono::steady_clock::now() + options_.stats_interval;
  bool running = true;
  while (running) {
    pollfd pfds[2] = {{sfd, POLLIN, 0}, {watcher ? watcher->fd() : -1, POLLIN, 0}};
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_stats - std::chrono::steady_clock::now());
    // At least every 100 ms: parked events are retried and exited processes expire.
    int64_t wait_ms = std::clamp<int64_t>(wait.count(), 0, 100);
    int rc = ::poll(pfds, 2, static_cast<int>(wait_ms));
    Tick();
    if (rc < 0 && errno != EINTR) break;
    if (pfds[0].revents & POLLIN) {
      signalfd_siginfo si;
      if (::read(sfd, &si, sizeof si) == sizeof si) {
        switch (si.ssi_signo) {
          case SIGINT:
          case SIGTERM:
            running = false;
            break;
          case SIGHUP:
            ReloadNow("SIGHUP");
            break;
          case SIGUSR1:
            spdlog::info("{}", StatsLine());
            break;
          case SIGUSR2:
            for (auto& s : sinks_) s->RequestReopen();
            spdlog::info("output files will be reopened");
            break;
        }
      }
    }
    if (watcher && (pfds[1].revents & POLLIN) &&
        watcher->WaitForChange(std::chrono::milliseconds(0)))
      ReloadNow("file change");
    if (std::chrono::steady_clock::now() >= next_stats) {
      spdlog::info("{}", StatsLine());
      next_stats = std::chrono::steady_clock::now() + options_.stats_interval;
      std::lock_guard lock(event_mu_);
      enricher_->SyncWallClock();
    }
  }

  spdlog::info("stopping: draining the ring buffers and the sinks");
  control.Stop();
  reader_->Stop();
  {
    std::lock_guard lock(event_mu_);
    pending_->Flush();  // what still waits goes out, marked incomplete
  }
  for (auto& s : sinks_) s->Stop();
  spdlog::info("final {}", StatsLine());
  ::close(sfd);
  return 0;
}

}  // namespace vigil::agent
