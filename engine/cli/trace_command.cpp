// vigil trace: stream the kernel's enriched events (no rules) as JSON lines or text.
// The work lives in engine/kernel (Tracer) and engine/output (rendering).
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "agent/event_enricher.h"
#include "bpf/events.h"
#include "cli/commands.h"
#include "cli/trace_options.h"
#include "kernel/event_types.h"
#include "kernel/tracer.h"
#include "lang/scope_parser.h"
#include "output/event_json.h"
#include "output/record_json.h"
#include "proctree/metadata_source.h"
#include "proctree/proc_seeder.h"
#include "proctree/process_tree.h"

namespace vigil::cli {
namespace {

struct TraceArgs {
  std::string events;
  std::string scope;
  std::string format = "json";
  uint32_t proc_info_entries = 0;
  bool all_lifecycle = false;
};

int RunTrace(const TraceArgs& args) {
  kernel::TraceOptions options;
  sigset_t signals;
  if (auto stop = StartSensorCommand(
          "trace",
          "loading BPF programs and mounting tracefs need CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN",
          args.events, args.scope, args.proc_info_entries, &options, &signals))
    return *stop;
  options.lifecycle_all = args.all_lifecycle;

  const bool json = args.format == "json";
  std::mutex out_mutex;
  kernel::ClockSource clock = kernel::ClockSource::kBoottime;
  // The process tree gives every JSON event its process's lineage, container and pod
  // (proc.parent, proc.ancestors, container, k8s: docs/events.md). Guarded by out_mutex.
  proctree::ProcMetadataSource metadata;
  std::unique_ptr<proctree::ProcessTree> tree;
  std::unique_ptr<agent::EventEnricher> enricher;
  match::EventRecord record;
  auto sink = [&](const kernel::Event& event) {
    thread_local std::string line;
    line.clear();
    std::lock_guard<std::mutex> lock(out_mutex);
    if (json) {
      std::optional<nlohmann::json> context;
      if (enricher && enricher->Enrich(event, record)) context = output::RecordToJson(record);
      output::AppendEventJson(line, event, clock, context ? &*context : nullptr);
    } else {
      output::AppendEventText(line, event);
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  };
  auto tracer = kernel::Tracer::Start(options, sink);
  if (!tracer) {
    std::fprintf(stderr, "vigil trace: %s\n", tracer.error().c_str());
    return kExitFindings;
  }
  clock = tracer.value()->clock();
  if (json) {
    // Seeded after the programs are attached, so that no process falls between the two, and
    // outside the lock, so that events keep flowing (without context) while /proc is read.
    auto seeded_tree = std::make_unique<proctree::ProcessTree>(proctree::TreeLimits{}, &metadata);
    if (auto seeded = proctree::SeedFromProc(*seeded_tree); !seeded)
      spdlog::warn("process tree not seeded: {}", seeded.error());
    std::lock_guard<std::mutex> lock(out_mutex);
    tree = std::move(seeded_tree);
    enricher = std::make_unique<agent::EventEnricher>(*tree, clock);
  }
  spdlog::info("ready");
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) break;
    if (sig == SIGUSR1) {
      spdlog::info("{}", tracer.value()->StatsLine());
      continue;
    }
    break;
  }
  tracer.value()->Stop();
  std::fflush(stdout);
  spdlog::info("{}", tracer.value()->StatsLine());
  return kExitOk;
}

}  // namespace

void AddTraceCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TraceArgs>();
  auto* cmd = app.add_subcommand("trace", "Stream raw enriched kernel events (root)");
  cmd->add_option("--events", args->events,
                  "Comma-separated event types (default: all; see docs/events.md)");
  cmd->add_option("--scope", args->scope,
                  "Policy scope expression evaluated in the kernel, e.g. 'comm in [nginx] follow'");
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"json", "text"}));
  cmd->add_option("--proc-info-size", args->proc_info_entries,
                  "Entries of the per-process kernel map (default: sized from the host)");
  cmd->add_flag("--all-lifecycle", args->all_lifecycle,
                "Also deliver exec/fork/exit of processes outside the scope");
  cmd->callback([args, &exit_code] { exit_code = RunTrace(*args); });
}

}  // namespace vigil::cli
