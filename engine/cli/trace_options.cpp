#include "cli/trace_options.h"

#include <pthread.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

#include "bpf/events.h"
#include "cli/commands.h"
#include "kernel/event_types.h"
#include "lang/scope_parser.h"
#include "output/lint_report.h"

namespace vigil::cli {

std::string TraceOptionsFromFlags(const std::string& events, const std::string& scope,
                                  uint32_t proc_info_entries, kernel::TraceOptions* out) {
  auto types = kernel::ParseEventTypeList(events);
  if (!types) return types.error();
  out->event_types = std::move(*types);
  if (!scope.empty()) {
    lang::SourceSet sources;
    auto parsed = lang::ParseScope(sources, sources.Add("--scope", scope));
    if (!parsed) return output::ErrorText(sources, parsed.error());
    out->scope = std::move(*parsed);
    // Softirq network events cannot be attributed to a process: a scoped trace leaves them
    // out unless asked for explicitly (which then fails with the reason).
    if (events.empty() || events == "all") out->event_types.erase(VIGIL_EVT_TCP_STATE);
  }
  out->proc_info_entries = proc_info_entries;
  return "";
}

std::optional<int> StartSensorCommand(const char* name, const char* root_reason,
                                      const std::string& events, const std::string& scope,
                                      uint32_t proc_info_entries, kernel::TraceOptions* options,
                                      sigset_t* signals) {
  spdlog::set_default_logger(spdlog::stderr_logger_mt(std::string("vigil-") + name));
  spdlog::set_pattern(std::string("vigil ") + name + ": %v");
  if (geteuid() != 0) {
    std::fprintf(stderr, "vigil %s: must run as root (%s)\n", name, root_reason);
    return kExitUsage;
  }
  if (std::string error = TraceOptionsFromFlags(events, scope, proc_info_entries, options);
      !error.empty()) {
    std::fprintf(stderr, "vigil %s: %s\n", name, error.c_str());
    return kExitUsage;
  }
  sigemptyset(signals);
  sigaddset(signals, SIGINT);
  sigaddset(signals, SIGTERM);
  sigaddset(signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, signals, nullptr);
  return std::nullopt;
}

}  // namespace vigil::cli
