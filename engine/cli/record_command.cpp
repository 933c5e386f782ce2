// vigil record: the events of `vigil trace`, enriched by the process tree as in `vigil run`,
// written to a file that `vigil replay` reads (docs/events.md). Flags to options here; the work
// is runtime::RunEventStream.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/trace_options.h"
#include "output/terminal_text.h"

namespace vigil::cli {
namespace {

struct RecordArgs {
  std::string output;
  SensorFlags sensor;
};

// Closes the output file on every path.
struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};

int RunRecord(const RecordArgs& args) {
  runtime::EventStreamOptions options;
  sigset_t signals;
  if (auto stop = StartSensorCommand("record", "it loads the kernel sensors", args.sensor, &options,
                                     &signals))
    return *stop;
  // The process tree needs every fork, exec and exit; only in-scope events are written.
  runtime::IncludeLifecycle(options.spec);
  options.only_in_scope = !options.spec.scope.filters.empty();
  options.flush_each_line = false;

  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(args.output.c_str(), "w"));
  if (!file) {
    std::fprintf(stderr, "vigil record: %s: cannot open for writing\n",
                 output::TerminalSafe(args.output).c_str());
    return kExitUsage;
  }
  spdlog::info("recording to {}", output::TerminalSafe(args.output));
  auto report = runtime::RunEventStream(options, file.get(), signals);
  if (!report) {
    std::fprintf(stderr, "vigil record: %s\n", report.error().c_str());
    return kExitFindings;
  }
  if (std::fflush(file.get()) != 0) ++report->write_errors;
  spdlog::info("{} events written, {} write errors; stats: {}", report->written,
               report->write_errors, report->stats);
  return report->write_errors == 0 ? kExitOk : kExitFindings;
}

}  // namespace

void AddRecordCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RecordArgs>();
  auto* cmd = app.add_subcommand("record",
                                 "Save enriched kernel events to a file for `vigil replay` (root)");
  cmd->add_option("-o,--output", args->output, "Events file to write (JSON lines)")->required();
  AddSensorFlags(cmd, args->sensor);
  cmd->footer(
      "Stops on SIGINT or SIGTERM; SIGUSR1 logs the counters. The file holds the event JSON\n"
      "of docs/events.md (as `vigil trace` writes it), enriched by the process tree as in\n"
      "`vigil run`.");
  cmd->callback([args, &exit_code] { exit_code = RunRecord(*args); });
}

}  // namespace vigil::cli
