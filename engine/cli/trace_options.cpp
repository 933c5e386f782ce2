#include "cli/trace_options.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"

namespace vigil::cli {

void AddSensorFlags(CLI::App* cmd, SensorFlags& flags) {
  cmd->add_option("--events", flags.events,
                  "Comma-separated event types (default: all; see docs/events.md)");
  cmd->add_option("--scope", flags.scope,
                  "Policy scope expression evaluated in the kernel, e.g. 'comm in [nginx] follow'");
  cmd->add_option("--proc-info-size", flags.proc_info_entries,
                  "Entries of the per-process kernel map (default: sized from the host)");
  cmd->add_option("--max-args-bytes", flags.max_args_bytes,
                  "Bytes of an exec's arguments read, 1 to 65536 (longer lists are cut and "
                  "flagged: kernel.argv_truncated)")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  cmd->add_option("--env-names", flags.env_names,
                  "Environment variables an exec reports (proc.env), comma-separated, at most 16; "
                  "'' for none")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--process-event-rate", flags.process_event_rate,
                  "Selected syscall events per second one process may send; more are counted "
                  "(stats: throttled) and not sent (0: no limit)")
      ->capture_default_str();
  cmd->add_flag("--raw-syscalls", flags.raw_syscalls,
                "Trace selected syscalls this kernel has no tracepoint for (module_load here) "
                "with a raw_syscalls program, which runs on every syscall of the host");
}

std::optional<int> StartSensorCommand(const char* name, const char* root_reason,
                                      const SensorFlags& flags,
                                      runtime::EventStreamOptions* options, sigset_t* signals) {
  spdlog::set_default_logger(spdlog::stderr_logger_mt(std::string("vigil-") + name));
  spdlog::set_pattern(std::string("vigil ") + name + ": %v");
  if (geteuid() != 0) {
    std::fprintf(stderr, "vigil %s: must run as root (%s)\n", name, root_reason);
    return kExitUsage;
  }
  auto spec = runtime::TraceSpecFromFlags(flags.events, flags.scope);
  if (!spec) {
    std::fprintf(stderr, "vigil %s: %s\n", name, spec.error().c_str());
    return kExitUsage;
  }
  options->spec = std::move(spec.value());
  options->session.proc_info_entries = flags.proc_info_entries;
  options->session.tree_limits.max_args_bytes = flags.max_args_bytes;
  options->session.process_event_rate = flags.process_event_rate;
  options->session.raw_syscalls_fallback = flags.raw_syscalls;
  options->session.env_names.clear();
  for (const std::string& name : flags.env_names)
    if (!name.empty()) options->session.env_names.push_back(name);
  *signals = runtime::BlockStopSignals();
  return std::nullopt;
}

}  // namespace vigil::cli
