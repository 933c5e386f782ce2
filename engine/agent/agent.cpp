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
#include "agent/systemd_notify.h"
#include "compile/kernel_plan.h"
#include "compile/plan_inputs.h"
#include "compile/prefilter.h"
#include "compile/rule_compiler.h"
#include "kernel/event_types.h"
#include "output/alert.h"
#include "output/lint_report.h"
#include "proctree/proc_seeder.h"
#include "runtime/field_use.h"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.0.0"
#endif

namespace vigil::agent {
namespace {

// How many versions of rule sets to keep for events still in flight after a flip.
constexpr size_t kVersionsKept = 4;

}  // namespace

Agent::Agent(AgentOptions options)
    : options_(std::move(options)),
      kill_guard_(KillGuard::ForThisProcess(options_.protected_exes)),
      throttle_(options_.alert_throttle) {}

Agent::~Agent() {
  if (session_) session_->Stop();
  for (auto& s : sinks_) s->Stop();
}

Status Agent::Activate(std::shared_ptr<const lang::Program> program, uint32_t version) {
  // 1. Matchers.
  compile::RuleCompileOptions rule_options;
  rule_options.implicit_policy = true;
  auto compiled = compile::CompileRules(*program, rule_options);
  if (!compiled) return Error{output::ErrorText(program->sources, compiled.error())};
  std::shared_ptr<const match::RuleSet> rules = std::move(*compiled);

  // 2. Kernel plan: one entry per policy with the event types of the rules it selects; every
  //    process's fork, exec and exit, which the process tree needs.
  std::vector<compile::KernelPolicyInput> inputs = compile::KernelPolicyInputs(*program);
  if (options_.kill_audit) {
    // Audit mode: the kernel kills nothing at exec; user space alerts "would kill".
    for (auto& in : inputs) {
      in.kill_exec_always = false;
      in.kill_exec.clear();
    }
  }
  auto plan = compile::BuildKernelPlan(inputs, session_->PlanOptions(version, true));
  if (!plan) return Error{plan.error()};
  //    The argument prefilter: events no rule could match, by their arguments, stay in the
  //    kernel (counted as prefiltered).
  for (const auto& o : compile::AddPrefilters(*rules, *plan))
    spdlog::info("argument prefilter for {} events: {}",
                 lang::EventTypeName(static_cast<lang::EventType>(o.type)),
                 o.active ? "on (vigil compile --explain shows it)" : "off: " + o.why_not);

  // 3. Matchers for the new version first, so that its first event finds them; then the
  //    session loads or attaches the programs the plan selects, writes its entries and flips.
  session_->Locked([&] {
    rule_sets_[version] = rules;
    time_state_[version] = std::make_unique<TimeState>(*rules);
    UpdateFieldsRead();
  });
  if (auto s = session_->Apply(*plan); !s) {
    session_->Locked([&] {
      rule_sets_.erase(version);
      time_state_.erase(version);
      UpdateFieldsRead();
    });
    return s;
  }
  session_->Locked([&] {
    active_version_ = version;
    while (rule_sets_.size() > kVersionsKept) {
      time_state_.erase(rule_sets_.begin()->first);
      rule_sets_.erase(rule_sets_.begin());
    }
    UpdateFieldsRead();
  });
  return OkStatus();
}

// Lazy enrichment (docs/agent.md): the costly fields that the rules of some kept version
// read; an event of any of them may still arrive. Called with the event lock held.
void Agent::UpdateFieldsRead() {
  runtime::FieldSet read;
  for (const auto& [version, rules] : rule_sets_) read |= runtime::FieldsRead(*rules);
  session_->enricher().SetFieldsRead(read);
}

void Agent::OnEvent(const kernel::Event& event) {
  if (NoRuleIsOn(event)) return;
  // An event whose process (or its container's pod metadata) is not known yet waits in the
  // pending cache and is retried on the timer; it is never dropped (FIELD-LESSONS 5).
  proctree::ProcessTree& tree = session_->tree();
  const proctree::Process* p = event.entity ? tree.LookupEntity(event.entity) : nullptr;
  if (!p) p = tree.Lookup(event.pid);
  switch (p ? tree.ContextOf(*p) : proctree::Resolution::kWait) {
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

// An event of a type no rule or correlation step of its policy version is on can match nothing,
// so it needs no process context, no record and no evaluation: in an exec storm under the
// default rules, the fork and exit events (two thirds of them). Its time still closes the rules'
// throttle windows, as a judged event's does. An event of an unknown version or type goes on to
// Judge, which counts it.
bool Agent::NoRuleIsOn(const kernel::Event& event) {
  auto it = rule_sets_.find(event.policy_version);
  if (it == rule_sets_.end()) return false;
  const auto type = lang::EventTypeFromKernel(event.type);
  if (!type || it->second->IndexedRules(*type) != 0) return false;
  counters_.no_rule_events.fetch_add(1, std::memory_order_relaxed);
  if (it->second->HasThrottles())
    if (auto ts = time_state_.find(event.policy_version); ts != time_state_.end())
      Summarise(*it->second, *ts->second, session_->enricher().WallTimeNs(event.ts_ns));
  return true;
}

void Agent::Judge(const kernel::Event& event, bool complete) {
  auto it = rule_sets_.find(event.policy_version);
  if (it == rule_sets_.end()) {
    // Lifecycle events of processes outside every scope carry no policy; anything else with an
    // unknown version is counted. No rule judges either: no record is made.
    if (event.matched != 0)
      counters_.unknown_version_events.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (!session_->enricher().Fill(event, record_)) return;
  if (!complete) record_.set_incomplete(true);
  if (event.policy_version != active_version_)
    counters_.old_version_events.fetch_add(1, std::memory_order_relaxed);
  const match::RuleSet& rules = *it->second;
  matches_.clear();
  rules.Evaluate(record_, scratch_, matches_);
  // A match may alert, and an alert shows the whole event: the fields no rule reads, too.
  if (!matches_.empty()) session_->enricher().FillSkipped(event, record_);
  TimeState* time = nullptr;
  if (rules.HasCorrelations() || rules.HasThrottles()) {
    auto ts = time_state_.find(event.policy_version);
    if (ts != time_state_.end()) time = ts->second.get();
  }
  if (time && rules.HasCorrelations()) {
    const uint64_t before = time->correlator.stats().fired;
    time->correlator.Judge(matches_, record_);
    const auto& st = time->correlator.stats();
    counters_.correlations_fired.fetch_add(st.fired - before, std::memory_order_relaxed);
    const uint64_t evicted = st.keys_evicted + st.pending_evicted;
    if (evicted != time->evicted_reported) {
      counters_.correlation_evicted.fetch_add(evicted - time->evicted_reported,
                                              std::memory_order_relaxed);
      time->evicted_reported = evicted;
    }
  }
  for (const auto& m : matches_) Emit(rules, m, record_, event, time);
  // Throttle windows this event's time closed with alerts held back: their summaries.
  if (time && rules.HasThrottles() && record_.Has(lang::FieldId::kEvtTime))
    Summarise(rules, *time, record_.Uint(lang::FieldId::kEvtTime));
}

namespace {

// Whether one of the match's policies says `action kill` (as output::Alert::action()).
bool KillsOnMatch(const match::RuleSet& rules, const match::RuleMatch& m) {
  for (unsigned i = 0; i < 64; ++i)
    if (m.policies & (uint64_t{1} << i))
      if (const auto* p = rules.PolicyAt(i); p && p->action == lang::ast::Action::kKill)
        return true;
  return false;
}

}  // namespace

void Agent::Emit(const match::RuleSet& rules, const match::RuleMatch& m,
                 const match::EventRecord& r, const kernel::Event& event, TimeState* time) {
  // Repeats of a rule for one process past the throttle's limit are counted, not rendered; an
  // alert that kills is never held back (the kill and its record go together).
  const auto& rule = rules.rules().at(m.rule);
  if (!KillsOnMatch(rules, m) &&
      !throttle_.Admit(rule.name, event.entity, event.pid, event.ts_ns)) {
    counters_.alerts_suppressed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const match::Firing* firing =
      time && m.firing >= 0 ? &time->correlator.firings()[m.firing] : nullptr;
  output::Alert alert = output::MakeAlert(rules, m, r, firing);
  // The rule's own throttle (the language's, in event time) after the agent's safety one.
  if (time && rule.throttle.active() && alert.action() != lang::ast::Action::kKill) {
    alert.throttle = time->throttle.Admit(m, r, alert.output);
    if (!alert.throttle.admit) {
      counters_.rule_throttled.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  if (alert.action() == lang::ast::Action::kKill) Kill(alert, r, event);
  Deliver(alert, r);
}

void Agent::Summarise(const match::RuleSet& rules, TimeState& time, uint64_t now_ns) {
  summaries_.clear();
  time.throttle.Expire(now_ns, &summaries_);
  for (const auto& s : summaries_) {
    output::Alert alert = output::MakeAlert(rules, s.match, s.event);
    alert.throttle = s.verdict;
    counters_.throttle_summaries.fetch_add(1, std::memory_order_relaxed);
    Deliver(alert, s.event);
  }
}

void Agent::SummariseAll(uint64_t now_ns) {
  for (auto& [version, time] : time_state_)
    if (auto it = rule_sets_.find(version); it != rule_sets_.end() && it->second->HasThrottles())
      Summarise(*it->second, *time, now_ns);
}

void Agent::Deliver(output::Alert& alert, const match::EventRecord& r) {
  alert.envelope.id = alert_ids_.Next();
  if (alert.envelope.hostname.empty()) alert.envelope.hostname = hostname_;
  counters_.alerts.fetch_add(1, std::memory_order_relaxed);
  ++alerts_by_rule_[{alert.rule->name, lang::ast::SeverityName(alert.rule->severity)}];
  // Each format the outputs take, rendered once.
  std::string lines[3];
  auto render = [&](output::AlertFormat f) -> const std::string& {
    std::string& line = lines[static_cast<int>(f)];
    if (line.empty()) {
      line = f == output::AlertFormat::kText            ? output::AlertTextLine(alert)
             : f == output::AlertFormat::kFalcosidekick ? output::AlertFalcoJsonLine(alert)
                                                        : output::AlertJsonLine(alert);
      if (!line.empty() && line.back() == '\n') line.pop_back();
    }
    return line;
  };
  const std::string container =
      r.Has(lang::FieldId::kContainerId) ? std::string(r.String(lang::FieldId::kContainerId)) : "";
  for (size_t i = 0; i < sinks_.size(); ++i)
    sinks_[i]->Push(render(sink_formats_[i]), alert.rule->severity, container);
}

void Agent::Kill(output::Alert& alert, const match::EventRecord& r, const kernel::Event& event) {
  if (event.killed_in_kernel) {
    // The kernel decided the rule alone and sent SIGKILL at exec (docs/agent.md, "Actions").
    alert.killed_by = "kernel";
    counters_.kernel_kills.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const pid_t target =
      r.Has(lang::FieldId::kProcPid) ? static_cast<pid_t>(r.Int(lang::FieldId::kProcPid)) : 0;
  const std::string exe =
      r.Has(lang::FieldId::kProcExe) ? std::string(r.String(lang::FieldId::kProcExe)) : "";
  if (options_.kill_audit) {
    alert.killed_by = "none";
    alert.not_killed = "would kill: audit mode (--kill-audit)";
    counters_.kills_audited.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::optional<std::string> why = kill_guard_.WhyProtected(target, exe);
  if (!why && event.kill_protected_in_kernel) why = "the kernel found it in its protected list";
  if (why) {
    alert.killed_by = "none";
    alert.not_killed = "protected: " + *why;
    // Rare by nature (a rule that matches vigil or init); logged so that it is never silent.
    if (counters_.kills_protected.fetch_add(1, std::memory_order_relaxed) < 100)
      spdlog::warn("rule {} would kill pid {} ({}), but it is protected: {}", alert.rule->name,
                   target, exe.empty() ? "?" : exe, *why);
    return;
  }
  if (target > 1 && ::kill(target, SIGKILL) == 0) {
    alert.killed_by = "user";
    counters_.kills.fetch_add(1, std::memory_order_relaxed);
  } else {
    alert.killed_by = "failed";
    counters_.kill_failures.fetch_add(1, std::memory_order_relaxed);
  }
}

ReloadOutcome Agent::ReloadNow(const std::string& trigger) {
  std::lock_guard lock(reload_mu_);
  if (sensors_attached_) NotifyReloading();
  ReloadOutcome out = reloader_->Reload(trigger);
  if (sensors_attached_) {  // the start-up load (which loads every BPF program) is not a reload
    std::lock_guard stats_lock(reload_stats_mu_);
    reload_latency_.Observe(out.latency_ms / 1000.0);
  }
  if (sensors_attached_) NotifyReady(fmt::format("policy set version {}", out.version));
  if (out.ok) {
    spdlog::info("policy set version {} active ({}), reload took {:.1f} ms", out.version, trigger,
                 out.latency_ms);
  } else if (out.version == 0) {
    // Nothing was active yet: the agent stops (Run), nothing "stays active".
    spdlog::error("cannot start: the policy set does not load:");
    for (const auto& e : out.errors) spdlog::error("  {}", e);
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
    nlohmann::json sinks = nlohmann::json::array();
    for (const auto& s : sinks_) {
      const output::SinkStats st = s->stats();
      sinks.push_back({{"name", s->Name()},
                       {"written", st.written},
                       {"dropped", st.dropped_queue_full},
                       {"failed", st.failed_writes},
                       {"retries", st.retries},
                       {"queued", st.queued},
                       {"in_flight", st.in_flight}});
    }
    status["sinks"] = std::move(sinks);
    status["counters"] = StatsJson(Collect());
    if (session_ && session_->loaded()) {
      nlohmann::json traced = nlohmann::json::array();
      for (uint16_t t : session_->sensors().attached_types())
        traced.push_back(kernel::EventTypeName(t));
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
  std::string out =
      fmt::format("stats: version={} events={} alerts={} kills={} kernel_kills={}", active_version_,
                  session_ ? session_->events_delivered() : 0, counters_.alerts.load(),
                  counters_.kills.load(), counters_.kernel_kills.load());
  if (counters_.kill_failures)
    out += fmt::format(" kill_failures={}", counters_.kill_failures.load());
  if (counters_.kills_protected)
    out += fmt::format(" kills_protected={}", counters_.kills_protected.load());
  if (counters_.kills_audited)
    out += fmt::format(" kills_audited={}", counters_.kills_audited.load());
  out += fmt::format(" alerts_suppressed={} loss_reports={}", counters_.alerts_suppressed.load(),
                     counters_.loss_reports.load());
  out += fmt::format(
      " correlations_fired={} correlation_evicted={} rule_throttled={} throttle_summaries={}",
      counters_.correlations_fired.load(), counters_.correlation_evicted.load(),
      counters_.rule_throttled.load(), counters_.throttle_summaries.load());
  out += fmt::format("; old_version_events={} unknown_version_events={} no_rule_events={}",
                     counters_.old_version_events.load(), counters_.unknown_version_events.load(),
                     counters_.no_rule_events.load());
  if (session_) {
    out += "; " + session_->StatsLine();
    session_->Locked([&] {
      // Alerts rules' throttles hold back that no later alert has reported yet.
      uint64_t held = 0;
      for (const auto& [version, time] : time_state_) held += time->throttle.Pending();
      out += fmt::format("; rule_throttle_pending={}", held);
    });
    if (pending_) {
      session_->Locked([&] {
        const auto& ps = pending_->stats();
        out += fmt::format("; pending waiting={} resolved={} expired={} gave_up={} overflowed={}",
                           pending_->size(), ps.resolved, ps.expired, ps.gave_up, ps.overflowed);
      });
    }
  }
  for (const auto& s : sinks_) {
    auto st = s->stats();
    out += fmt::format("; sink {} written={} dropped={} failed={} queued={}", s->Name(), st.written,
                       st.dropped_queue_full, st.failed_writes, st.queued);
    if (st.retries) out += fmt::format(" retries={}", st.retries);
    if (st.in_flight) out += fmt::format(" in_flight={}", st.in_flight);
  }
  return out;
}

LossCounters Agent::CurrentLoss() const {
  LossCounters c;
  const kernel::KernelStats k = session_->kernel_stats();
  c.ring_full = k[VIGIL_STAT_DROP_MAIN] + k[VIGIL_STAT_DROP_NET];
  c.inflight_full = k[VIGIL_STAT_INFLIGHT_FULL];
  c.throttled = k[VIGIL_STAT_THROTTLED];
  c.undecodable = session_->reader() ? session_->reader()->decode_errors() : 0;
  c.alerts_suppressed = counters_.alerts_suppressed.load();
  c.correlation_evicted = counters_.correlation_evicted.load();
  for (const auto& s : sinks_) {
    auto st = s->stats();
    c.alerts_dropped += st.dropped_queue_full;
    c.alerts_failed += st.failed_writes;
  }
  return c;
}

void Agent::CheckLoss(bool final) {
  const auto now = std::chrono::steady_clock::now();
  if (!loss_report_) {
    loss_report_ = std::make_unique<LossReport>(options_.loss_report_interval, LossCounters{}, now);
  }
  // The throttled map is drained at every check, so that its LRU does not forget a process.
  std::vector<kernel::ThrottledProcess> throttled = session_->sensors().TakeThrottled();
  std::vector<ThrottledReportEntry> tp;
  std::vector<SuppressedReportEntry> sp;
  session_->Locked([&] {
    proctree::ProcessTree& tree = session_->tree();
    auto find = [&](uint64_t entity, uint32_t pid) {
      const proctree::Process* p = entity ? tree.LookupEntity(entity) : nullptr;
      return p ? p : tree.Lookup(pid);
    };
    for (const auto& t : throttled) {
      ThrottledReportEntry e{.pid = t.tgid, .entity = t.entity, .events = t.events};
      if (const auto* p = find(t.entity, t.tgid)) {
        e.name = std::string(p->comm.view());
        e.exe = std::string(p->exe.view());
      }
      tp.push_back(std::move(e));
    }
    for (auto& s : throttle_.TakeSuppressed()) {
      SuppressedReportEntry e{.rule = std::move(s.rule), .pid = s.pid, .alerts = s.alerts};
      if (s.pid != 0)
        if (const auto* p = find(s.entity, s.pid)) e.name = std::string(p->comm.view());
      sp.push_back(std::move(e));
    }
  });
  loss_report_->AddThrottled(std::move(tp));
  loss_report_->AddSuppressed(std::move(sp));
  const auto wall_ns =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  auto alert = loss_report_->Due(CurrentLoss(), now, wall_ns, session_->NowNs(), final,
                                 {.id = alert_ids_.Next(), .hostname = hostname_});
  if (!alert) return;
  counters_.loss_reports.fetch_add(1, std::memory_order_relaxed);
  session_->Locked([&] {
    ++alerts_by_rule_[{LossReport::kRuleName, lang::ast::SeverityName(alert->severity)}];
  });
  spdlog::warn("{}", alert->text);
  for (size_t i = 0; i < sinks_.size(); ++i) {
    const output::AlertFormat f = sink_formats_[i];
    sinks_[i]->Push(f == output::AlertFormat::kText            ? alert->text
                    : f == output::AlertFormat::kFalcosidekick ? alert->falco
                                                               : alert->json,
                    alert->severity);
  }
  loss_report_->Sent(sinks_.size());
}

AgentSnapshot Agent::Collect() const {
  AgentSnapshot s;
  s.agent_version = VIGIL_VERSION;
  s.taken = std::chrono::steady_clock::now();
  s.sensors_attached = sensors_attached_;
  s.stopping = stopping_;
  if (reloader_) {
    const Reloader::Counts c = reloader_->counts();
    s.policy_version = c.version;
    s.reloads_ok = c.ok;
    s.reloads_failed = c.failed;
  }
  {
    std::lock_guard lock(reload_stats_mu_);
    s.reload_latency = reload_latency_;
  }
  s.old_version_events = counters_.old_version_events;
  s.unknown_version_events = counters_.unknown_version_events;
  s.no_rule_events = counters_.no_rule_events;
  s.alerts_suppressed = counters_.alerts_suppressed;
  s.loss_reports = counters_.loss_reports;
  s.correlations_fired = counters_.correlations_fired;
  s.correlation_evicted = counters_.correlation_evicted;
  s.rule_throttled = counters_.rule_throttled;
  s.throttle_summaries = counters_.throttle_summaries;
  s.kills = {{"user", counters_.kills},
             {"kernel", counters_.kernel_kills},
             {"failed", counters_.kill_failures},
             {"protected", counters_.kills_protected},
             {"audited", counters_.kills_audited}};
  if (session_) {
    if (const kernel::RingReader* reader = session_->reader()) {
      for (uint16_t t = 0; t < VIGIL_EVT_MAX; ++t)
        if (const uint64_t n = reader->events_of_type(t))
          s.events_by_type[kernel::EventTypeName(t)] = n;
      s.records_by_buffer = {{"main", reader->records_from(0)}, {"net", reader->records_from(1)}};
      s.decode_errors = reader->decode_errors();
      const kernel::IdleStats idle = reader->idle_stats();
      s.reader = {{"polls", idle.polls},
                  {"timeouts", idle.timeouts},
                  {"idle_entered", idle.entered},
                  {"idle_woken", idle.woken},
                  {"idle_late", idle.late}};
    }
    if (session_->loaded()) {
      const kernel::KernelStats k = session_->kernel_stats();
      for (int i = 0; i < VIGIL_STAT_MAX; ++i) s.kernel[kernel::StatName(i)] = k[i];
    }
    session_->Locked([&] {
      s.alerts = alerts_by_rule_;
      if (session_->has_process_tree()) {
        s.processes = session_->tree().size();
        proctree::ForEachCounter(session_->tree().stats(),
                                 [&](const char* name, uint64_t v) { s.tree[name] = v; });
      }
      if (pending_) {
        s.pending_waiting = pending_->size();
        s.pending_capacity = pending_->options().capacity;
        proctree::ForEachCounter(pending_->stats(),
                                 [&](const char* name, uint64_t v) { s.pending[name] = v; });
      }
    });
  }
  for (const auto& sink : sinks_) {
    const output::SinkStats st = sink->stats();
    s.sinks.push_back({.name = sink->Name(),
                       .queued = st.queued,
                       .written = st.written,
                       .dropped = st.dropped_queue_full,
                       .failed = st.failed_writes,
                       .writable = st.writable,
                       .retries = st.retries,
                       .in_flight = st.in_flight});
  }
  return s;
}

void Agent::Publish() {
  auto snapshot = std::make_shared<const AgentSnapshot>(Collect());
  std::lock_guard lock(published_mu_);
  published_ = std::move(snapshot);
}

std::shared_ptr<const AgentSnapshot> Agent::Published() const {
  std::lock_guard lock(published_mu_);
  return published_;
}

bool Agent::OpenSinks() {
  char host[256] = "";
  if (::gethostname(host, sizeof host - 1) == 0) hostname_ = host;
  output::OutputConfig config = options_.output_config;
  auto format = output::ParseAlertFormat(options_.alert_format);
  if (!format) {
    spdlog::error("{}", format.error());
    return false;
  }
  config.format = *format;
  if (config.kafka.hostname.empty()) config.kafka.hostname = hostname_;
  if (config.kafka.queue == 0) config.kafka.queue = options_.sink_queue;
  for (const auto& spec : options_.outputs) {
    auto out = output::MakeOutput(spec, config);
    if (!out) {
      spdlog::error("{}", out.error());
      return false;
    }
    sinks_.push_back(
        std::make_unique<output::AsyncSink>(std::move(out->sink), options_.sink_queue));
    sink_formats_.push_back(out->format);
  }
  return true;
}

// The session, the first policy set and the pending cache; then the readers and the programs.
bool Agent::StartSession() {
  runtime::SessionOptions so;
  so.load_every_type = true;  // a reload can start tracing any event type
  so.proc_info_entries = options_.proc_info_entries;
  so.tree_limits = options_.tree_limits;
  so.runc_roots = options_.runc_roots;
  so.kill_protected_tgids = kill_guard_.tgids();
  so.process_event_rate = options_.process_event_rate;
  so.env_names.clear();
  for (const std::string& name : options_.env_names)
    if (!name.empty()) so.env_names.push_back(name);
  so.host_name = options_.host_name;
  so.raw_syscalls_fallback = options_.raw_syscalls_fallback;
  so.reader_poll_ms = options_.read_interval_ms;
  for (const auto& exe : kill_guard_.protected_exes())
    so.kill_protected_exe_hashes.push_back(compile::PathHash(exe));
  auto session = runtime::Session::Open(so);
  if (!session) {
    spdlog::error("{}", session.error());
    return false;
  }
  session_ = std::move(session.value());
  pending_ = std::make_unique<proctree::PendingCache<kernel::Event>>(
      proctree::PendingOptions{
          .capacity = 8192,
          .max_attempts = options_.pending_retries,
          .retry_interval_ns = uint64_t{options_.pending_interval_ms} * 1'000'000},
      [this] { return session_->NowNs(); },
      [this](kernel::Event& e) { return session_->tree().RefreshContext(e.entity, e.pid); },
      [this](kernel::Event&& e, bool complete) { Judge(e, complete); });

  reloader_ = std::make_unique<Reloader>(
      options_.policy_paths, !options_.allow_insecure_perms && ::geteuid() == 0,
      [this](std::shared_ptr<const lang::Program> p, uint32_t v) { return Activate(p, v); });
  reloader_->SetDisabledRules(options_.disabled_rules);
  if (!ReloadNow("start").ok) return false;
  if (auto s = session_->Start([this](const kernel::Event& e) { OnEvent(e); }); !s) {
    spdlog::error("{}", s.error());
    return false;
  }
  spdlog::info("watching");
  return true;
}

bool Agent::OnSignal(uint32_t signo) {
  switch (signo) {
    case SIGINT:
    case SIGTERM:
      return false;
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
  return true;
}

void Agent::Loop(int signal_fd) {
  auto next_stats = std::chrono::steady_clock::now() + options_.stats_interval;
  // Loss is looked at every second; LossReport decides whether a report is due.
  auto next_loss_check = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (;;) {
    pollfd pfds[2] = {{signal_fd, POLLIN, 0}, {watcher_ ? watcher_->fd() : -1, POLLIN, 0}};
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_stats - std::chrono::steady_clock::now());
    // At least every 100 ms: parked events are retried and exited processes expire.
    int64_t wait_ms = std::clamp<int64_t>(wait.count(), 0, 100);
    int rc = ::poll(pfds, 2, static_cast<int>(wait_ms));
    session_->Tick([this] { pending_->Poll(); });
    if (rc < 0 && errno != EINTR) return;
    if (pfds[0].revents & POLLIN) {
      signalfd_siginfo si;
      if (::read(signal_fd, &si, sizeof si) == sizeof si && !OnSignal(si.ssi_signo)) return;
    }
    // A change is reported once it is complete (quiet, and closed by its writer).
    if (watcher_ && watcher_->Poll(std::chrono::steady_clock::now())) ReloadNow("file change");
    if (std::chrono::steady_clock::now() >= next_loss_check) {
      // Windows closed while no event came: a second of slack for events still in the rings.
      timespec ts{};
      ::clock_gettime(CLOCK_REALTIME, &ts);
      const uint64_t now_ns = static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
      session_->Locked([&] { SummariseAll(now_ns - 1'000'000'000); });
      CheckLoss(false);
      if (metrics_) Publish();
      next_loss_check = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
    if (std::chrono::steady_clock::now() >= next_stats) {
      spdlog::info("{}", StatsLine());
      next_stats = std::chrono::steady_clock::now() + options_.stats_interval;
    }
  }
}

void Agent::Shutdown() {
  spdlog::info("stopping: draining the ring buffers and the sinks");
  stopping_ = true;
  NotifyStopping();
  if (metrics_) Publish();
  if (control_) control_->Stop();
  session_->Stop();
  session_->Locked([&] {
    pending_->Flush();         // what still waits goes out, marked incomplete
    SummariseAll(UINT64_MAX);  // held-back alerts no later alert reported
  });
  CheckLoss(true);  // what was lost since the last report, before the outputs close
  for (auto& s : sinks_) s->Stop();
  spdlog::info("final {}", StatsLine());
  if (metrics_) metrics_->Stop();
  // Nothing more is read or written: another agent may start, and the kernel detaches the
  // programs after this process is gone (Session::DetachAfterExit).
  instance_lock_.reset();
  session_->DetachAfterExit();
}

int Agent::Run() {
  // Signals are read from a signalfd by this thread; every other thread has them blocked.
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2}) sigaddset(&mask, sig);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  // A closed stdout (`vigil run | head`) is a failing output, not a reason to die: writes get
  // EPIPE instead of the signal (output::StdoutSink).
  ::signal(SIGPIPE, SIG_IGN);
  const int sfd = ::signalfd(-1, &mask, SFD_CLOEXEC);
  if (sfd < 0) {
    spdlog::error("signalfd: {}", std::strerror(errno));
    return 1;
  }
  // Before anything is loaded: a second agent on the same control socket would double every
  // alert and make `vigil status` reach either one.
  auto lock = InstanceLock::Acquire(InstanceLockPath(options_.control_socket));
  if (!lock) {
    spdlog::error("{}", lock.error());
    ::close(sfd);
    return 1;
  }
  instance_lock_.emplace(std::move(*lock));
  if (!OpenSinks()) {
    ::close(sfd);
    return 2;
  }
  // The endpoint answers from the start: /readyz says what is still missing.
  if (!options_.metrics_address.empty()) {
    auto address = ParseMetricsAddress(options_.metrics_address);
    if (address) {
      Publish();
      metrics_ =
          std::make_unique<MetricsServer>(std::move(*address), [this] { return Published(); });
    }
    Status started = address ? metrics_->Start() : Status(Error{address.error()});
    if (!started) {
      spdlog::error("{}", started.error());
      ::close(sfd);
      return 2;
    }
    spdlog::info("metrics, /healthz and /readyz: {} (port {})", options_.metrics_address,
                 metrics_->port());
  }
  if (!StartSession()) {
    ::close(sfd);
    return 1;
  }
  sensors_attached_ = true;
  if (metrics_) Publish();
  NotifyReady(fmt::format("watching; policy set version {}", reloader_->counts().version));

  control_ = std::make_unique<ControlServer>(
      options_.control_socket, [this](const nlohmann::json& req) { return HandleControl(req); });
  if (auto started = control_->Start(); !started)
    spdlog::warn("control socket: {}", started.error());
  else
    spdlog::info("control socket: {}", options_.control_socket);
  if (options_.watch_files) {
    watcher_ = std::make_unique<PolicyWatcher>(options_.policy_paths);
    if (auto started = watcher_->Start(); !started) {
      spdlog::warn("not watching policy files: {}", started.error());
      watcher_.reset();
    }
  }

  Loop(sfd);
  Shutdown();
  ::close(sfd);
  return 0;
}

}  // namespace vigil::agent
