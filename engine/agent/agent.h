// The agent (`vigil run`): what only the agent does on top of a runtime::Session (which loads
// and attaches the sensors, keeps the process tree and enriches events): it compiles policy sets
// into matchers and kernel plans, judges every delivered event against the rules of the
// policies that matched it in the kernel, kills when a rule says so, and writes alerts to its
// sinks. Reloads the policy set on SIGHUP, on
// `vigil reload` and when a loaded file changes, without detaching any program: the new
// version's kernel entries are written, the active version flips in one map update, and
// events stamped with the old version are still judged by the old rules.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent_stats.h"
#include "agent/alert_throttle.h"
#include "agent/control_socket.h"
#include "agent/instance_lock.h"
#include "agent/kill_guard.h"
#include "agent/loss_report.h"
#include "agent/metrics_server.h"
#include "agent/reloader.h"
#include "kernel/env_names.h"
#include "kernel/event.h"
#include "kernel/ring_reader.h"
#include "kernel/sensors.h"
#include "match/correlator.h"
#include "match/rule_set.h"
#include "match/rule_throttle.h"
#include "output/alert.h"
#include "output/alert_id.h"
#include "output/output_config.h"
#include "output/sinks.h"
#include "proctree/pending_cache.h"
#include "proctree/process_tree.h"
#include "runtime/session.h"

namespace vigil::agent {

class PolicyWatcher;

struct AgentOptions {
  std::vector<std::string> policy_paths;
  std::vector<std::string> outputs = {"stdout"};  // stdout, file:PATH, syslog, webhook:URL, kafka
  std::string alert_format = "json";              // json | text | falcosidekick
  // The webhook and Kafka outputs' options (their url, format, headers, brokers, ...).
  output::OutputConfig output_config;
  bool allow_insecure_perms = false;
  bool watch_files = true;
  std::chrono::seconds stats_interval{60};
  std::string control_socket = kDefaultControlSocket;
  uint32_t proc_info_entries = 0;       // 0: sized from the host
  size_t sink_queue = 65536;            // alerts queued per sink before they are counted as dropped
  std::vector<std::string> runc_roots;  // runc state folders for pod metadata (empty: defaults)
  uint32_t pending_retries = 5;         // retries of an event whose context is not known yet
  uint32_t pending_interval_ms = 100;   // between those retries
  proctree::TreeLimits tree_limits;     // process tree memory bounds
  // The longest a record waits in a ring buffer while records flow (kernel::PollOptions).
  int read_interval_ms = kernel::kDefaultPollTimeoutMs;
  // `action kill` alerts "would kill" and kills nothing, in user space or in the kernel.
  bool kill_audit = false;
  // Executables `action kill` never kills, besides vigil, its ancestors, PID 1, kernel threads.
  std::vector<std::string> protected_exes;
  // Fairness under floods (docs/agent.md, "Floods"): selected syscall events per second each
  // process may send (0: no limit), the alert throttle, and how often the loss report may come.
  uint32_t process_event_rate = kernel::kDefaultProcessEventRate;
  // Environment variables an exec reports (proc.env[NAME]; --env-names, docs/events.md).
  std::vector<std::string> env_names = kernel::DefaultEnvNames();
  // Serve syscalls without a tracepoint with the raw_syscalls fallback (`--raw-syscalls`).
  bool raw_syscalls_fallback = false;
  AlertThrottleOptions alert_throttle;
  std::chrono::seconds loss_report_interval{10};
  // Rules disabled at every load without editing files (--disable-rule, --disable-tag).
  lang::RuleSelection disabled_rules;
  // --metrics HOST:PORT: the Prometheus, /healthz and /readyz endpoint (empty: none).
  std::string metrics_address;
  // host.name of every event (empty: the UTS host name); Kubernetes passes the node's name.
  std::string host_name;
};

struct AgentCounters {
  std::atomic<uint64_t> alerts{0};
  std::atomic<uint64_t> kills{0};         // sent from user space
  std::atomic<uint64_t> kernel_kills{0};  // sent by the kernel at exec
  std::atomic<uint64_t> kill_failures{0};
  std::atomic<uint64_t> kills_protected{0};     // not killed: a protected process (KillGuard)
  std::atomic<uint64_t> kills_audited{0};       // not killed: audit mode (--kill-audit)
  std::atomic<uint64_t> old_version_events{0};  // judged by the rules of the version they carry
  std::atomic<uint64_t> unknown_version_events{0};
  // Of a type no rule or step of their version is on: not enriched, not evaluated.
  std::atomic<uint64_t> no_rule_events{0};
  std::atomic<uint64_t> alerts_suppressed{0};  // held back by the alert throttle
  std::atomic<uint64_t> loss_reports{0};
  // The language's time state (match::Correlator, match::RuleThrottle), all versions.
  std::atomic<uint64_t> correlations_fired{0};
  std::atomic<uint64_t> correlation_evicted{0};  // keys and partial sequences dropped at a bound
  std::atomic<uint64_t> rule_throttled{0};       // alerts held back by rules' `throttle`
  std::atomic<uint64_t> throttle_summaries{0};   // summaries of closed throttle windows
};

class Agent {
 public:
  explicit Agent(AgentOptions options);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Runs until SIGINT or SIGTERM. Returns the process exit code.
  int Run();

 private:
  // Run's steps.
  bool OpenSinks();
  bool StartSession();
  void Loop(int signal_fd);
  bool OnSignal(uint32_t signo);  // false: stop
  void Shutdown();

  // Reloader::Activate: compile, write the kernel plan, flip, switch matchers.
  Status Activate(std::shared_ptr<const lang::Program> program, uint32_t version);
  // The session's event handler (its event lock held, the tree updated from the event).
  void OnEvent(const kernel::Event& event);
  // True (and counted) when no rule of the event's version is on its type: nothing to judge.
  bool NoRuleIsOn(const kernel::Event& event);
  // The enricher's costly fields: those the kept rule sets read (event lock held).
  void UpdateFieldsRead();
  // Enriches and evaluates an event whose context is as known as it will be (event lock held).
  void Judge(const kernel::Event& event, bool complete);
  struct TimeState;
  void Emit(const match::RuleSet& rules, const match::RuleMatch& m, const match::EventRecord& r,
            const kernel::Event& event, TimeState* time);
  // Gives the alert its id and host and pushes it to every output.
  void Deliver(output::Alert& alert, const match::EventRecord& r);
  // The summaries of the throttle windows closed by `now_ns` (event time), delivered.
  void Summarise(const match::RuleSet& rules, TimeState& time, uint64_t now_ns);
  void SummariseAll(uint64_t now_ns);  // every policy version's
  // Carries out `action kill` for an alert (or says in it why not).
  void Kill(output::Alert& alert, const match::EventRecord& r, const kernel::Event& event);
  nlohmann::json HandleControl(const nlohmann::json& request);
  ReloadOutcome ReloadNow(const std::string& trigger);
  std::string StatsLine() const;
  // Every counter and gauge, read now (takes the event lock briefly).
  AgentSnapshot Collect() const;
  // Collects and makes the snapshot the one the metrics endpoint serves.
  void Publish();
  std::shared_ptr<const AgentSnapshot> Published() const;
  // The loss report: collects what was throttled and suppressed, and emits the report when one
  // is due (`final`: at shutdown, whatever the interval).
  void CheckLoss(bool final);
  LossCounters CurrentLoss() const;

  AgentOptions options_;
  AgentCounters counters_;
  std::optional<InstanceLock> instance_lock_;  // one agent per control socket
  KillGuard kill_guard_;
  std::unique_ptr<runtime::Session> session_;
  std::unique_ptr<Reloader> reloader_;
  std::mutex reload_mu_;  // one reload at a time
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<PolicyWatcher> watcher_;

  // Under the session's event lock: one event at a time.
  std::unique_ptr<proctree::PendingCache<kernel::Event>> pending_;
  match::EventRecord record_;
  match::EvalScratch scratch_;
  std::vector<match::RuleMatch> matches_;
  AlertThrottle throttle_;
  // Rule sets by policy version; the current one and those whose events may still be queued.
  std::map<uint32_t, std::shared_ptr<const match::RuleSet>> rule_sets_;
  // Per version, beside its rule set: correlation and rule-throttle state. A reload starts
  // them afresh (the new version's rules may differ).
  struct TimeState {
    explicit TimeState(const match::RuleSet& rules) : correlator(rules), throttle(rules) {}
    match::Correlator correlator;
    match::RuleThrottle throttle;
    uint64_t evicted_reported = 0;
  };
  std::map<uint32_t, std::unique_ptr<TimeState>> time_state_;
  std::vector<match::RuleThrottle::Summary> summaries_;  // Summarise's, kept for its storage
  uint32_t active_version_ = 0;

  std::vector<std::unique_ptr<output::AsyncSink>> sinks_;
  std::vector<output::AlertFormat> sink_formats_;  // by sink
  std::unique_ptr<LossReport> loss_report_;        // the main loop's
  // Every alert's id; the host name for alerts whose event has no host.name (gethostname).
  output::AlertIdGenerator alert_ids_ = output::AlertIdGenerator::Random();
  std::string hostname_;

  // Under the event lock: alerts by (rule, severity name).
  std::map<std::pair<std::string, std::string>, uint64_t> alerts_by_rule_;
  mutable std::mutex reload_stats_mu_;
  LatencyHistogram reload_latency_;
  std::atomic<bool> sensors_attached_{false};
  std::atomic<bool> stopping_{false};
  mutable std::mutex published_mu_;
  std::shared_ptr<const AgentSnapshot> published_;
  std::unique_ptr<MetricsServer> metrics_;
};

}  // namespace vigil::agent
