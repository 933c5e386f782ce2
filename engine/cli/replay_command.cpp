// vigil replay: evaluate rules offline over recorded events (JSON lines, docs/events.md) and
// print the alerts. The output depends only on the input: same files, same bytes.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string_view>

#include "cli/commands.h"
#include "cli/load_rules.h"
#include "match/correlator.h"
#include "match/rule_throttle.h"
#include "output/record_batch_reader.h"
#include "output/replay_alerts.h"
#include "output/terminal_text.h"

namespace vigil::cli {
namespace {

struct ReplayOptions {
  std::vector<std::string> policies;
  std::string input;
  std::string format = "json";
  bool strict = false;
  std::string threads = "auto";
};

// What correlation and throttles held or dropped, when there is anything to say.
std::string TimeSummary(const match::CorrelatorStats& c, const match::ThrottleStats& t) {
  std::string out;
  if (t.suppressed > 0)
    out += ", " + std::to_string(t.suppressed) + " suppressed by rule throttles (" +
           std::to_string(t.summaries) + " window summar" + (t.summaries == 1 ? "y" : "ies") + ")";
  if (c.keys_evicted + c.pending_evicted > 0)
    out += ", correlation state evicted: " + std::to_string(c.keys_evicted) + " keys, " +
           std::to_string(c.pending_evicted) + " partial sequences";
  return out;
}

int RunReplay(const ReplayOptions& opt) {
  auto loaded = LoadAndCompile("replay", opt.policies, {}, std::cerr);
  if (!loaded.ok()) return loaded.exit_code;
  const match::RuleSet& rules = *loaded.loaded.rules;

  // The input, read in large blocks (stdin is not closed).
  struct Input {
    int fd = 0;
    ~Input() {
      if (fd > 0) ::close(fd);
    }
  } input;
  if (opt.input != "-") {
    input.fd = ::open(opt.input.c_str(), O_RDONLY | O_CLOEXEC);
    if (input.fd < 0) {
      std::cerr << "vigil replay: " << output::TerminalSafe(opt.input) << ": cannot open\n";
      return kExitUsage;
    }
  }
  const std::string name = opt.input == "-" ? "<stdin>" : opt.input;

  output::PolicyIndex policy_index;
  for (const auto& p : rules.policies()) policy_index.emplace(p.name, p.index);

  // Read, parsed and evaluated in batches; a few batches ahead on a second thread (a regular
  // file, and by default when two CPUs are usable). Correlations, throttles and alerts follow
  // here, in input order.
  output::RecordBatchReader batches(input.fd, policy_index,
                                    opt.threads == "1" ? output::RecordBatchReader::Threads::kOne
                                    : opt.threads == "2"
                                        ? output::RecordBatchReader::Threads::kTwo
                                        : output::RecordBatchReader::Threads::kAuto,
                                    /*batch_lines=*/0, &rules);
  output::ReplayAlerts::Options alert_options;
  alert_options.format = opt.format == "text"            ? output::AlertFormat::kText
                         : opt.format == "falcosidekick" ? output::AlertFormat::kFalco
                                                         : output::AlertFormat::kJson;
  output::ReplayAlerts judge(rules, alert_options);
  std::string out;
  size_t events = 0, malformed = 0;
  int rc = kExitOk;
  bool stopped = false;
  while (!stopped) {
    output::RecordBatchReader::Batch* batch = batches.Next();
    if (!batch) break;
    for (size_t i = 0; i < batch->size; ++i) {
      if (!batch->errors[i].empty()) {
        ++malformed;
        std::cerr << "vigil replay: " << output::TerminalSafe(name) << ":" << batch->line_no[i]
                  << ": malformed event, skipped: " << output::TerminalSafe(batch->errors[i])
                  << "\n";
        if (opt.strict) {
          rc = kExitFindings;
          stopped = true;
          break;
        }
        continue;
      }
      ++events;  // completed by the reader (match::CompleteOfflineRecord)
      judge.JudgeEvaluated(batch->records[i], batch->matches[i], &out);
    }
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  judge.Finish(&out);  // the end of input closes every throttle window
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (batches.read_error() != 0) {
    std::cerr << "vigil replay: " << output::TerminalSafe(name) << ": read error\n";
    return kExitUsage;
  }
  std::cerr << "vigil replay: " << events << " event" << (events == 1 ? "" : "s") << ", "
            << malformed << " malformed line" << (malformed == 1 ? "" : "s") << " skipped, "
            << judge.alerts() << " alert" << (judge.alerts() == 1 ? "" : "s")
            << TimeSummary(judge.correlation_stats(), judge.throttle_stats())
            << (opt.strict && rc != kExitOk ? " (stopped at the first malformed line: --strict)"
                                            : "")
            << "\n";
  return rc;
}

}  // namespace

void AddReplayCommand(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<ReplayOptions>();
  auto* cmd = app.add_subcommand(
      "replay", "Evaluate rules over recorded events (JSON lines) and print the alerts");
  cmd->add_option("--policy", opt->policies,
                  "Rule and policy files or directories (repeatable); a set without policies "
                  "gets one implicit policy selecting every enabled rule")
      ->required();
  cmd->add_option("--format", opt->format,
                  "Alert format: json, text or falcosidekick (Falco's JSON payload)")
      ->check(CLI::IsMember({"json", "text", "falcosidekick"}))
      ->capture_default_str();
  cmd->add_flag("--strict", opt->strict, "Stop at the first malformed line (exit 1)");
  cmd->add_option("--threads", opt->threads,
                  "2: a second thread reads and parses the input (a regular file) while the "
                  "first matches; 1: one thread; auto: 2 when two CPUs are usable. Same output "
                  "either way")
      ->check(CLI::IsMember({"auto", "1", "2"}))
      ->capture_default_str();
  cmd->add_option("file", opt->input, "Events as JSON lines (vigil record), or - for stdin")
      ->required();
  cmd->footer(
      "Malformed lines are reported on stderr with their line number and skipped; the summary\n"
      "counts them. Exit status: 0 done, 1 rule errors or --strict stop, 2 usage or I/O.\n"
      "Without a \"policies\" key an event counts as matched by every policy (scopes are decided\n"
      "in the kernel, so a replay cannot re-decide them). Alert schema: docs/alerts.md.");
  cmd->callback([opt, &exit_code] { exit_code = RunReplay(*opt); });
}

}  // namespace vigil::cli
