// vigil trace: stream the kernel's enriched events (no rules) as JSON lines or text. Flags to
// options here; the work is runtime::RunEventStream.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/trace_options.h"

namespace vigil::cli {
namespace {

struct TraceArgs {
  SensorFlags sensor;
  std::string format = "json";
  bool all_lifecycle = false;
};

int RunTrace(const TraceArgs& args) {
  runtime::EventStreamOptions options;
  sigset_t signals;
  if (auto stop = StartSensorCommand(
          "trace",
          "loading BPF programs and mounting tracefs need CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN",
          args.sensor, &options, &signals))
    return *stop;
  options.spec.lifecycle_all = args.all_lifecycle;
  options.format =
      args.format == "json" ? runtime::EventFormat::kJson : runtime::EventFormat::kText;
  auto report = runtime::RunEventStream(options, stdout, signals);
  if (!report) {
    std::fprintf(stderr, "vigil trace: %s\n", report.error().c_str());
    return kExitFindings;
  }
  spdlog::info("stats: {}", report->stats);
  return kExitOk;
}

}  // namespace

void AddTraceCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TraceArgs>();
  auto* cmd = app.add_subcommand("trace", "Stream raw enriched kernel events (root)");
  AddSensorFlags(cmd, args->sensor);
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"json", "text"}));
  cmd->add_flag("--all-lifecycle", args->all_lifecycle,
                "Also deliver exec/fork/exit of processes outside the scope");
  cmd->footer(
      "Stops on SIGINT or SIGTERM; SIGUSR1 logs the counters. JSON lines follow docs/events.md,\n"
      "the schema `vigil record` writes and `vigil replay` reads.");
  cmd->callback([args, &exit_code] { exit_code = RunTrace(*args); });
}

}  // namespace vigil::cli
