// vigil run: the agent. The work is in engine/agent; this file maps flags to AgentOptions.
#include <unistd.h>

#include <iostream>

#include "agent/agent.h"
#include "cli/commands.h"
#include "output/agent_log.h"

namespace vigil::cli {

void AddRunCommand(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<agent::AgentOptions>();
  auto stats_seconds = std::make_shared<int>(60);
  auto no_watch = std::make_shared<bool>(false);
  auto loss_seconds = std::make_shared<int>(10);
  auto webhook_format = std::make_shared<std::string>("json");
  auto webhook_timeout_ms = std::make_shared<int>(10000);
  auto webhook_backoff_ms = std::make_shared<int>(30000);
  auto kafka_key = std::make_shared<std::string>("host");
  auto kafka_format = std::make_shared<std::string>("json");
  auto log_format = std::make_shared<std::string>("text");
  auto log_output = std::make_shared<std::string>("stderr");
  auto* cmd = app.add_subcommand(
      "run", "Run the agent (root): load policies, attach the sensors, stream alerts, hot-reload");
  opt->outputs.clear();
  cmd->add_option("--policy", opt->policy_paths,
                  "Rule or policy file or directory (repeatable; default /etc/vigil)");
  cmd->add_option("--output", opt->outputs,
                  "Where alerts go: stdout, file:PATH (reopened on SIGUSR2), syslog, "
                  "syslog:SOCKET, webhook:URL, kafka (repeatable)");
  cmd->add_option("--format", opt->alert_format,
                  "Alert format of stdout, file and syslog: json, text or falcosidekick")
      ->check(CLI::IsMember({"json", "text", "falcosidekick"}))
      ->capture_default_str();
  auto& out = opt->output_config;
  cmd->add_option("--webhook-header", out.webhook.headers,
                  "Header sent with every webhook request, 'Name: value' (repeatable)");
  cmd->add_option("--webhook-format", *webhook_format,
                  "Webhook body: json (the alert) or falcosidekick (Falco's payload)")
      ->check(CLI::IsMember({"json", "falcosidekick"}))
      ->capture_default_str();
  cmd->add_option("--webhook-ca-file", out.webhook.ca_file,
                  "PEM bundle that verifies the webhook server (default: the system's)");
  cmd->add_option("--webhook-client-cert", out.webhook.client_cert,
                  "PEM client certificate for the webhook server");
  cmd->add_option("--webhook-client-key", out.webhook.client_key, "Its PEM private key");
  cmd->add_option("--webhook-timeout-ms", *webhook_timeout_ms,
                  "Milliseconds one webhook request may take")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--webhook-max-backoff-ms", *webhook_backoff_ms,
                  "Longest wait between two retries of a webhook request (doubling from 200 ms)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--kafka-brokers", out.kafka.brokers, "Kafka bootstrap servers, host:port,...");
  cmd->add_option("--kafka-topic", out.kafka.topic, "Kafka topic of the alerts");
  cmd->add_option("--kafka-key", *kafka_key,
                  "Message key: host (the host name), container (the container id, the host "
                  "name for host processes) or none")
      ->check(CLI::IsMember({"host", "container", "none"}))
      ->capture_default_str();
  cmd->add_option("--kafka-acks", out.kafka.acks, "Acknowledgements: all, 1 or 0")
      ->check(CLI::IsMember({"all", "1", "0"}))
      ->capture_default_str();
  cmd->add_option("--kafka-compression", out.kafka.compression, "none, gzip, snappy, lz4 or zstd")
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
      ->capture_default_str();
  cmd->add_option("--kafka-properties", out.kafka.properties_file,
                  "File of librdkafka properties, name=value a line (TLS: security.protocol, "
                  "ssl.*; SASL: sasl.*)");
  cmd->add_option("--kafka-format", *kafka_format, "Message body: json or falcosidekick")
      ->check(CLI::IsMember({"json", "falcosidekick"}))
      ->capture_default_str();
  cmd->add_option("--log-format", *log_format, "Format of the agent's own log: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--log-output", *log_output,
                  "Where the agent's own log goes: stderr, stdout or file:PATH (never the "
                  "stream of an alert output)")
      ->capture_default_str();
  cmd->add_option("--stats-interval", *stats_seconds, "Seconds between stats lines on stderr")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--control-socket", opt->control_socket, "Path of the control socket")
      ->capture_default_str();
  cmd->add_option("--proc-info-size", opt->proc_info_entries,
                  "Entries of the kernel's per-process map (0: sized from the host)");
  cmd->add_option("--sink-queue", opt->sink_queue, "Alerts queued per output before drops")
      ->capture_default_str();
  cmd->add_option(
      "--runc-root", opt->runc_roots,
      "runc state folder to read pod metadata from (repeatable; replaces the defaults)");
  cmd->add_option("--pending-retries", opt->pending_retries,
                  "Retries of an event whose process context is not known yet")
      ->capture_default_str();
  cmd->add_option("--pending-interval-ms", opt->pending_interval_ms, "Milliseconds between retries")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--read-interval-ms", opt->read_interval_ms,
                  "Longest a kernel record waits to be read while records flow, in milliseconds "
                  "(larger: less CPU per event, later alerts)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--max-processes", opt->tree_limits.max_processes,
                  "Processes the tree tracks at most, live and exited (hits are counted)")
      ->capture_default_str();
  cmd->add_option("--max-exited", opt->tree_limits.max_exited,
                  "Exited processes kept for late events (least recently exited go first)")
      ->capture_default_str();
  cmd->add_option("--max-args-bytes", opt->tree_limits.max_args_bytes,
                  "Bytes of an exec's arguments read and kept per process, 1 to 65536 (longer "
                  "lists are cut and flagged: proc.args_truncated)")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  cmd->add_option("--process-event-rate", opt->process_event_rate,
                  "Selected syscall events per second one process may send; more are counted as "
                  "throttled and reported (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--env-names", opt->env_names,
                  "Environment variables an exec reports (proc.env), comma-separated, at most 16; "
                  "'' for none")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_flag("--raw-syscalls", opt->raw_syscalls_fallback,
                "Trace selected syscalls this kernel has no tracepoint for (module_load here) "
                "with a raw_syscalls program, which runs on every syscall of the host; without "
                "it their events are not seen (logged at start)");
  cmd->add_option("--alert-limit", opt->alert_throttle.per_process,
                  "Alerts of one rule for one process per second; repeats are counted and "
                  "reported (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--rule-alert-limit", opt->alert_throttle.per_rule,
                  "Alerts of one rule per second, all processes together (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--loss-report-interval", *loss_seconds,
                  "Least seconds between two loss reports (alerts of rule vigil:loss)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--protect", opt->protected_exes,
                  "Executable `action kill` never kills (repeatable; vigil, its ancestors, PID 1 "
                  "and kernel threads are always protected)");
  cmd->add_flag("--kill-audit", opt->kill_audit,
                "Audit mode for `action kill`: alert \"would kill\", kill nothing");
  cmd->add_flag("--allow-insecure-perms", opt->allow_insecure_perms,
                "Load policy files even if they are not owned by root or are writable by others");
  cmd->add_flag("--no-watch", *no_watch, "Do not reload when a policy file changes");
  cmd->add_option("--host-name", opt->host_name,
                  "host.name of every event and alert, instead of the UTS host name (in a "
                  "Kubernetes pod that is the pod's name: pass the node's)");
  cmd->add_option("--metrics", opt->metrics_address,
                  "Serve Prometheus metrics (/metrics), /healthz and /readyz over HTTP on "
                  "HOST:PORT; HOST is an IP address or localhost, never a wildcard "
                  "(docs/operations.md)");
  cmd->add_option("--disable-rule", opt->disabled_rules.names,
                  "Rule to turn off without editing its file (repeatable; an unknown name fails "
                  "the load)");
  cmd->add_option("--disable-tag", opt->disabled_rules.tags,
                  "Turn off every rule with this tag (repeatable; a tag no rule has fails the "
                  "load)");
  cmd->footer(
      "Signals: SIGHUP reloads, SIGUSR1 prints stats, SIGUSR2 reopens file outputs,\n"
      "SIGINT/SIGTERM detach, flush and print final stats. `vigil status` and `vigil reload`\n"
      "talk to the control socket. See docs/agent.md.");
  cmd->callback([=, &exit_code] {
    if (opt->outputs.empty()) opt->outputs = {"stdout"};
    // The log first: what follows may log, and must not land in an alert stream.
    if (auto logged = output::SetUpAgentLog(*log_format, *log_output, opt->outputs); !logged) {
      std::cerr << "vigil run: " << logged.error() << "\n";
      exit_code = kExitUsage;
      return;
    }
    if (::geteuid() != 0) {
      std::cerr << "vigil run: must run as root (it loads BPF programs)\n";
      exit_code = kExitUsage;
      return;
    }
    for (const auto& exe : opt->protected_exes) {
      if (exe.empty() || exe.front() != '/') {
        std::cerr << "vigil run: --protect " << exe
                  << ": give the executable's absolute path (as proc.exe shows it)\n";
        exit_code = kExitUsage;
        return;
      }
    }
    if (opt->policy_paths.empty()) opt->policy_paths = {"/etc/vigil"};
    auto& config = opt->output_config;  // the flags' values are checked above
    config.webhook_format = *output::ParseAlertFormat(*webhook_format);
    config.kafka_format = *output::ParseAlertFormat(*kafka_format);
    config.kafka.key = *output::ParseKafkaKey(*kafka_key);
    config.webhook.timeout = std::chrono::milliseconds(*webhook_timeout_ms);
    config.webhook.backoff_max = std::chrono::milliseconds(*webhook_backoff_ms);
    opt->stats_interval = std::chrono::seconds(*stats_seconds);
    opt->loss_report_interval = std::chrono::seconds(*loss_seconds);
    opt->watch_files = !*no_watch;
    agent::Agent a(*opt);
    exit_code = a.Run();
  });
}

void AddStatusCommand(CLI::App& app, int& exit_code) {
  auto socket = std::make_shared<std::string>(agent::kDefaultControlSocket);
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("status", "Show the running agent's policies and counters");
  cmd->add_option("--control-socket", *socket, "Path of the control socket")->capture_default_str();
  cmd->add_flag("--json", *json,
                "Print the answer as JSON: policies, reloads and every counter (\"counters\", "
                "docs/operations.md)");
  cmd->callback([socket, json, &exit_code] {
    auto reply = agent::ControlRequest(*socket, {{"command", "status"}});
    if (!reply) {
      std::cerr << "vigil status: " << reply.error() << "\n";
      exit_code = kExitUsage;
      return;
    }
    if (*json) {
      std::cout << reply->dump(2) << "\n";
    } else {
      std::cout << "policy set version " << (*reply)["version"] << "\n";
      for (const auto& p : (*reply)["policies"])
        std::cout << "  policy " << p["name"].get<std::string>()
                  << (p.value("implicit", false) ? " (implicit: no policy declared; " : " (")
                  << "slot " << p["slot"] << ", " << p["state"].get<std::string>() << ", action "
                  << p["action"].get<std::string>() << ", " << p["rules"].size() << " rules)\n";
      const auto& r = (*reply)["reloads"];
      std::cout << "reloads: " << r["ok"] << " ok, " << r["failed"] << " failed\n";
      if (reply->contains("last_failure")) {
        std::cout << "last failed reload ("
                  << (*reply)["last_failure"]["trigger"].get<std::string>() << "):\n";
        for (const auto& e : (*reply)["last_failure"]["errors"])
          std::cout << "  " << e.get<std::string>() << "\n";
      }
      std::cout << (*reply)["stats"].get<std::string>() << "\n";
    }
    exit_code = (*reply)["ok"].get<bool>() ? kExitOk : kExitFindings;
  });
}

void AddReloadCommand(CLI::App& app, int& exit_code) {
  auto socket = std::make_shared<std::string>(agent::kDefaultControlSocket);
  auto* cmd = app.add_subcommand("reload", "Make the running agent reload its policy files");
  cmd->add_option("--control-socket", *socket, "Path of the control socket")->capture_default_str();
  cmd->callback([socket, &exit_code] {
    auto reply = agent::ControlRequest(*socket, {{"command", "reload"}});
    if (!reply) {
      std::cerr << "vigil reload: " << reply.error() << "\n";
      exit_code = kExitUsage;
      return;
    }
    if ((*reply)["ok"].get<bool>()) {
      std::cout << "policy set version " << (*reply)["version"] << " active (reload took "
                << (*reply)["latency_ms"] << " ms)\n";
      exit_code = kExitOk;
    } else {
      std::cerr << "reload failed; version " << (*reply)["version"] << " stays active:\n";
      for (const auto& e : (*reply)["errors"]) std::cerr << "  " << e.get<std::string>() << "\n";
      exit_code = kExitFindings;
    }
  });
}

}  // namespace vigil::cli
