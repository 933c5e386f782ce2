// Matcher throughput: a realistic event mix through the whole rule library (topped up with
// generated rules to 60+), on one core. Prints ns/event for
//   1. a loop that only iterates the same decoded events (the baseline),
//   2. rule evaluation over decoded events (no JSON), and its ratio to 1,
//   2c. the same with 10 correlation rules (counts, distinct counts, sequences with a step
//      reference, a co-occurrence) loaded beside the library, evaluated and fed to the
//      correlator, against the library alone on the same loop (events stamped in time order),
//      over hot records (the goal, issue 15: >= 1M events/s) and cold ones,
//   3. `vigil replay` end to end (JSON lines in, alerts out), and its ratio to a loop that only
//      parses the same JSON lines.
// Ratios against baselines measured in the same run; no timed assertions.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../timing.h"
#include "compile/rule_compiler.h"
#include "event_mix.h"
#include "lang/pipeline.h"
#include "match/correlator.h"
#include "output/record_json.h"

extern char** environ;

namespace vigil::bench {
namespace {

// Runs `body` over the events in rounds of about 0.1 s for at least `min_seconds`; returns the
// best round's ns per event (the machine is shared: the fastest round is the least disturbed).
// `events` may be non-const for a body that stamps each event.
template <typename Events, typename F>
double NsPerEvent(Events& events, double min_seconds, F body) {
  double best = 1e18;
  auto start = Clock::now();
  size_t passes = 1;
  do {
    auto t0 = Clock::now();
    for (size_t p = 0; p < passes; ++p)
      for (auto& e : events) body(e);
    double round = Seconds(t0, Clock::now());
    best = std::min(best, round * 1e9 / static_cast<double>(passes * events.size()));
    if (round < 0.1) passes *= 2;
  } while (Seconds(start, Clock::now()) < min_seconds);
  return best;
}

size_t CountRules(const std::vector<std::string>& paths) {
  lang::Program p;
  lang::LoadSources(paths, p);
  lang::Diagnostics d;
  lang::Analyze(p, d);
  return p.rule_order.size();
}

int RunSpawn(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Ten correlation rules of every kind, on the types the event mix is made of, and the policy
// that selects them (the library's policies select by their own tags).
const char* kCorrelationRules = R"(
rule bench_corr_exec_burst { desc "d" severity low tags [bench_corr] on exec
  count 5 within 60s by proc.ppid output "x" }
rule bench_corr_discovery { desc "d" severity low tags [bench_corr] on exec
  when proc.name in [whoami, id, uname, hostname, ps, ls, cat]
  count 3 distinct proc.name within 1m by user.name output "x" }
rule bench_corr_etc_reads { desc "d" severity low tags [bench_corr] on open
  when file.path startswith "/etc/" count 20 within 10s by proc.pid output "x" }
rule bench_corr_connects { desc "d" severity low tags [bench_corr] on connect
  count 10 within 1m by proc.exe output "x" }
rule bench_corr_dropped { desc "d" severity low tags [bench_corr]
  step written on open when open.write and file.path startswith "/tmp/"
  step ran on exec when proc.exe == written.file.path
  within 5m by user.name output "x" }
rule bench_corr_fetch_connect { desc "d" severity low tags [bench_corr]
  step fetch on exec when proc.name in [curl, wget, python3]
  step out on connect
  within 30s by proc.pid output "x" }
rule bench_corr_passwd_shell { desc "d" severity low tags [bench_corr] steps any_order
  step passwd on open when file.path == "/etc/passwd"
  step shell on exec when proc.name in [bash, sh]
  within 30s by user.name output "x" }
rule bench_corr_many_files { desc "d" severity low tags [bench_corr] on open
  count 50 distinct file.path within 10s by proc.pid output "x" }
rule bench_corr_shell_proc { desc "d" severity low tags [bench_corr]
  step shell on exec when proc.name == "bash"
  step procfs on open when file.path startswith "/proc/"
  within 10s by proc.pid output "x" }
rule bench_corr_container_opens { desc "d" severity low tags [bench_corr] on open
  count 100 within 1s by container.id output "x" }
policy bench_corr { desc "d" scope global rules [tag:bench_corr] }
)";

std::unique_ptr<match::RuleSet> CompileLibrary(const std::vector<std::string>& library,
                                               const std::vector<std::string>& extra) {
  lang::Program program;
  auto load_errors = lang::LoadSources(library, program);
  for (size_t i = 0; i < extra.size(); ++i)
    program.sources.Add("<bench-extra-" + std::to_string(i) + ">", extra[i]);
  lang::Diagnostics diags;
  lang::Analyze(program, diags);
  if (!load_errors.empty() || diags.errors() > 0) {
    for (const auto& d : diags.all())
      if (d.level == lang::Level::kError) std::cerr << "error: " << d.message << "\n";
    return nullptr;
  }
  auto compiled = compile::CompileRules(program, {});
  if (!compiled) return nullptr;
  return std::move(*compiled);
}

// 2c: the library with and without 10 correlation rules, on one loop that stamps each event
// with a later evt.time (1 ms apart), so windows open and close as they would live. Timed twice:
// over 64 records (hot in cache: the agent and `vigil replay` fill one record and evaluate it at
// once, which is what the goal is judged on) and over all 4096 (cold: a record of every field
// slot is about 15 KB, so this loop mostly measures memory traffic).
bool BenchCorrelation(const std::vector<std::string>& library, const std::string& extra_text,
                      std::vector<match::EventRecord> events, double min_seconds) {
  auto plain = CompileLibrary(library, {extra_text});
  auto with = CompileLibrary(library, {extra_text, kCorrelationRules});
  if (!plain || !with) return false;
  match::Correlator correlator(*with);
  match::EvalScratch scratch;
  std::vector<match::RuleMatch> matches;
  matches.reserve(64);
  uint64_t now = 1'800'000'000ULL * 1'000'000'000ULL;
  size_t alerts = 0;
  auto time_loop = [&](std::vector<match::EventRecord>& records, const match::RuleSet& rules,
                       bool correlate) {
    return NsPerEvent(records, min_seconds, [&](match::EventRecord& e) {
      e.SetUint(lang::FieldId::kEvtTime, now += 1'000'000);
      matches.clear();
      rules.Evaluate(e, scratch, matches);
      if (correlate) correlator.Judge(matches, e);
      alerts += matches.size();
    });
  };
  std::vector<match::EventRecord> hot(events.begin(), events.begin() + 64);
  const double hot_base = time_loop(hot, *plain, false);
  const double hot_corr = time_loop(hot, *with, true);
  const double base = time_loop(events, *plain, false);
  const double corr = time_loop(events, *with, true);
  Keep(alerts);
  const auto& st = correlator.stats();
  std::printf("%-44s %8.1f ns/event  %6.2f M events/s\n", "baseline: library, 64 records (hot)",
              hot_base, 1e3 / hot_base);
  std::printf("%-44s %8.1f ns/event  %6.2f M events/s  ratio %.2fx baseline  (%s 1M/s)\n",
              "library + 10 correlation rules, hot", hot_corr, 1e3 / hot_corr, hot_corr / hot_base,
              1e3 / hot_corr >= 1.0 ? "meets" : "BELOW");
  std::printf("%-44s %8.1f ns/event  %6.2f M events/s\n", "baseline: library, 4096 records (cold)",
              base, 1e3 / base);
  std::printf("%-44s %8.1f ns/event  %6.2f M events/s  ratio %.2fx baseline\n",
              "library + 10 correlation rules, cold", corr, 1e3 / corr, corr / base);
  std::printf("  correlator: %llu fired, %llu keys live, %llu expired, %llu evicted\n",
              static_cast<unsigned long long>(st.fired),
              static_cast<unsigned long long>(st.keys_live),
              static_cast<unsigned long long>(st.keys_expired),
              static_cast<unsigned long long>(st.keys_evicted + st.pending_evicted));
  return true;
}

int Run(int argc, char** argv) {
  const std::string src = VIGIL_SOURCE_DIR;
  const std::string vigil = argc > 1 ? argv[1] : "";
  const double min_seconds = 1.0;
  std::vector<std::string> library = {src + "/rules", src + "/policies"};
  size_t library_rules = CountRules(library);
  size_t extra = library_rules >= 60 ? 0 : 60 - library_rules;
  const std::string extra_text = MakeExtraRules(extra);

  lang::Program program;
  auto load_errors = lang::LoadSources(library, program);
  for (const auto& e : load_errors) std::cerr << e.path << ": " << e.message << "\n";
  program.sources.Add("<bench-extra>", extra_text);
  lang::Diagnostics diags;
  lang::Analyze(program, diags);
  if (!load_errors.empty() || diags.errors() > 0) {
    for (const auto& d : diags.all())
      if (d.level == lang::Level::kError) std::cerr << "error: " << d.message << "\n";
    return 1;
  }
  auto compiled = compile::CompileRules(program, {});
  if (!compiled) {
    for (const auto& d : compiled.error().all()) std::cerr << "error: " << d.message << "\n";
    return 1;
  }
  auto rules = std::move(*compiled);

  const auto events = MakeEventMix(4096, 20261125);
  std::map<std::string, size_t> mix;
  for (const auto& e : events) mix[std::string(lang::EventTypeName(e.type()))]++;
  std::printf("rules: %zu from rules/ and policies/ + %zu generated = %zu\n", library_rules, extra,
              rules->rules().size());
  std::printf("rule index: open %zu, exec %zu, connect %zu rules\n",
              rules->IndexedRules(lang::EventType::kOpen),
              rules->IndexedRules(lang::EventType::kExec),
              rules->IndexedRules(lang::EventType::kConnect));
  std::printf("events: %zu distinct, cycled; mix:", events.size());
  for (const auto& [name, n] : mix)
    std::printf(" %s %.0f%%", name.c_str(), 100.0 * n / events.size());
  std::printf("\n\n");

  // 1. Baseline: iterate the same events, reading what the index reads first.
  uint64_t sink = 0;
  double base = NsPerEvent(events, min_seconds, [&](const match::EventRecord& e) {
    sink += static_cast<uint64_t>(e.type()) ^ e.policies();
    Keep(sink);
  });

  // 2. Rule evaluation over decoded events.
  match::EvalScratch scratch;
  std::vector<match::RuleMatch> matches;
  matches.reserve(64);
  size_t alerts = 0, evaluated = 0;
  double eval = NsPerEvent(events, min_seconds, [&](const match::EventRecord& e) {
    matches.clear();
    rules->Evaluate(e, scratch, matches);
    alerts += matches.size();
    ++evaluated;
  });
  Keep(alerts);
  // 2b. The agent's pattern: a record is filled and evaluated at once, so it is in cache. A
  // small working set of records stands for that.
  const std::vector<match::EventRecord> hot(events.begin(), events.begin() + 64);
  double hot_base = NsPerEvent(hot, min_seconds / 2, [&](const match::EventRecord& e) {
    sink += static_cast<uint64_t>(e.type()) ^ e.policies();
    Keep(sink);
  });
  double hot_eval = NsPerEvent(hot, min_seconds / 2, [&](const match::EventRecord& e) {
    matches.clear();
    rules->Evaluate(e, scratch, matches);
    Keep(matches);
  });
  std::printf("%-44s %8.1f ns/event\n", "baseline: iterate 4096 decoded events", base);
  std::printf("%-44s %8.1f ns/event  %6.2f M events/s  ratio %.0fx baseline  (%.3f alerts/event)\n",
              "match, 4096 records (cold in cache)", eval, 1e3 / eval, eval / base,
              static_cast<double>(alerts) / static_cast<double>(evaluated));
  std::printf("%-44s %8.1f ns/event\n", "baseline: iterate 64 decoded events", hot_base);
  std::printf("%-44s %8.1f ns/event  %6.2f M events/s  ratio %.0fx baseline\n",
              "match, 64 records (hot, as in the agent)", hot_eval, 1e3 / hot_eval,
              hot_eval / hot_base);

  if (!BenchCorrelation(library, extra_text, events, min_seconds)) return 1;

  if (vigil.empty()) {
    std::printf("\n(pass the vigil binary as the first argument to time `vigil replay`)\n");
    return 0;
  }
  // 3. Replay end to end, from a JSON lines file, against parsing the same lines only.
  char dir_template[] = "/tmp/vigil-bench-match-XXXXXX";
  if (!mkdtemp(dir_template)) return 1;
  const std::string dir = dir_template;
  const std::string events_path = dir + "/events.jsonl", extra_path = dir + "/extra.vgl";
  std::ofstream(extra_path) << extra_text;
  const size_t copies = 25;
  std::vector<std::string> lines;
  for (const auto& e : events)
    lines.push_back(output::DumpJsonLine(output::RecordToJson(e)) + "\n");
  {
    std::ofstream out(events_path);
    for (size_t c = 0; c < copies; ++c)
      for (const auto& l : lines) out << l;
  }
  const double n = static_cast<double>(events.size() * copies);
  auto t0 = Clock::now();
  size_t parsed = 0;
  {
    std::ifstream in(events_path);
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line);
      parsed += j.size();
    }
  }
  double parse_ns = Seconds(t0, Clock::now()) * 1e9 / n;
  Keep(parsed);
  t0 = Clock::now();
  std::vector<std::string> replay = {vigil,          "replay",   "--policy",
                                     src + "/rules", "--policy", src + "/policies"};
  if (!extra_text.empty()) replay.insert(replay.end(), {"--policy", extra_path});
  replay.push_back(events_path);
  int rc = RunSpawn(replay);
  double replay_ns = Seconds(t0, Clock::now()) * 1e9 / n;
  std::printf("%-44s %8.1f ns/event\n", "baseline: read + parse JSON lines only", parse_ns);
  std::printf(
      "%-44s %8.1f ns/event  %6.2f M events/s  ratio %.1fx JSON parse  (%zu events, "
      "exit %d, includes loading the rules)\n",
      "vigil replay end to end", replay_ns, 1e3 / replay_ns, replay_ns / parse_ns,
      events.size() * copies, rc);
  std::remove(events_path.c_str());
  std::remove(extra_path.c_str());
  rmdir(dir.c_str());
  return rc == 0 ? 0 : 1;
}

}  // namespace
}  // namespace vigil::bench

int main(int argc, char** argv) {
  return vigil::bench::Run(argc, argv);
}
