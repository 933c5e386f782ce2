// vigil record: `vigil trace`, enriched with the process tree exactly as the agent enriches
// events, written to a file as the event JSON that `vigil replay` reads (docs/replay.md).
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>

#include "agent/event_enricher.h"
#include "bpf/events.h"
#include "cli/commands.h"
#include "cli/trace_options.h"
#include "kernel/clock.h"
#include "kernel/event_types.h"
#include "kernel/tracer.h"
#include "lang/scope_parser.h"
#include "output/record_json.h"
#include "output/terminal_text.h"
#include "proctree/proc_seeder.h"
#include "proctree/process_tree.h"

namespace vigil::cli {
namespace {

struct RecordArgs {
  std::string output;
  std::string events;
  std::string scope;
  uint32_t proc_info_entries = 0;
};

// Same syntax as `vigil trace --events`.
// Closes the output file on every path.
struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};

int RunRecord(const RecordArgs& args) {
  kernel::TraceOptions options;
  sigset_t signals;
  if (auto stop = StartSensorCommand("record", "it loads the kernel sensors", args.events,
                                     args.scope, args.proc_info_entries, &options, &signals))
    return *stop;
  // The process tree needs every fork, exec and exit; only in-scope events are written.
  options.lifecycle_all = true;
  for (uint16_t t : {VIGIL_EVT_EXEC, VIGIL_EVT_FORK, VIGIL_EVT_EXIT}) options.event_types.insert(t);
  const bool scoped = !args.scope.empty();

  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(args.output.c_str(), "w"));
  if (!file) {
    std::fprintf(stderr, "vigil record: %s: cannot open for writing\n",
                 output::TerminalSafe(args.output).c_str());
    return kExitUsage;
  }
  auto clock = kernel::ProbeClock();
  if (!clock) {
    std::fprintf(stderr, "vigil record: %s\n", clock.error().c_str());
    return kExitFindings;
  }
  proctree::ProcessTree tree;
  agent::EventEnricher enricher(tree, clock->source);
  if (auto seeded = proctree::SeedFromProc(tree); seeded)
    spdlog::info("process tree seeded from /proc: {} processes", seeded->seeded);
  else
    spdlog::warn("process tree not seeded: {}", seeded.error());

  std::mutex mu;  // the readers of the two ring buffers share the tree, the record and the file
  match::EventRecord record;
  uint64_t written = 0, write_errors = 0;
  auto sink = [&](const kernel::Event& event) {
    std::lock_guard<std::mutex> lock(mu);
    if (!enricher.Enrich(event, record)) return;
    if (scoped && event.matched == 0) return;  // lifecycle of a process outside the scope
    std::string line = output::DumpJsonLine(output::RecordToJson(record)) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), file.get()) != line.size()) ++write_errors;
    ++written;
  };
  auto tracer = kernel::Tracer::Start(options, sink);
  if (!tracer) {
    std::fprintf(stderr, "vigil record: %s\n", tracer.error().c_str());
    return kExitFindings;
  }
  if (tracer.value()->clock() != clock->source)
    spdlog::warn("the sensors chose clock {}, the enrichment {}",
                 kernel::ClockName(tracer.value()->clock()), kernel::ClockName(clock->source));
  spdlog::info("recording to {}", output::TerminalSafe(args.output));
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) break;
    if (sig != SIGUSR1) break;
    std::lock_guard<std::mutex> lock(mu);
    spdlog::info("{} events written; {}", written, tracer.value()->StatsLine());
  }
  tracer.value()->Stop();
  std::lock_guard<std::mutex> lock(mu);
  std::fflush(file.get());
  spdlog::info("{} events written, {} write errors; {}", written, write_errors,
               tracer.value()->StatsLine());
  return write_errors == 0 ? kExitOk : kExitFindings;
}

}  // namespace

void AddRecordCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RecordArgs>();
  auto* cmd = app.add_subcommand("record",
                                 "Save enriched kernel events to a file for `vigil replay` (root)");
  cmd->add_option("-o,--output", args->output, "Events file to write (JSON lines)")->required();
  cmd->add_option("--events", args->events,
                  "Comma-separated event types (default: all; see docs/events.md)");
  cmd->add_option("--scope", args->scope,
                  "Policy scope expression evaluated in the kernel, e.g. 'comm in [nginx] follow'");
  cmd->add_option("--proc-info-size", args->proc_info_entries,
                  "Entries of the per-process kernel map (default: sized from the host)");
  cmd->footer(
      "Stops on SIGINT or SIGTERM; SIGUSR1 logs the counters. The file holds the event\n"
      "JSON of docs/replay.md, enriched by the process tree as in `vigil run`.");
  cmd->callback([args, &exit_code] { exit_code = RunRecord(*args); });
}

}  // namespace vigil::cli
