// `vigil replay` throughput: the event mix of bench/match as JSON lines, through the rule
// library (topped up to 60+ rules). Prints ns/event and events/s for
//   A. where the time of one line goes, each stage added to the previous one, in process:
//      split the lines (the baseline), parse (nlohmann, the old path; the new reader: its
//      one-pass scanner, simdjson for what the scanner hands on),
//      complete the record (derived fields), evaluate and correlate, format the alerts;
//   B. the whole replay loop with the old parser against the same loop with the new one
//      (the ratio is the speed-up of this change, measured in the same run);
//   D. the whole loop reading the lines from a file in batches (as `vigil replay` does), on one
//      thread and with the reading and parsing on a second thread (--threads 2);
//   C. `vigil replay` end to end (a process reading a file, writing alerts to /dev/null), with
//      one thread and with two (--threads), against `cat` reading the same file (the baseline),
//      with and without its start-up (loading and compiling the rules, timed on an empty file).
// Each figure is the best of several rounds (the machine is shared). No timed assertions.
// Usage: bench_replay [VIGIL] [--events N] [--data FILE.tsv] [--write-events FILE]
// (--write-events: only write N lines of the mix to FILE, to profile `vigil replay` on them)
#include <fcntl.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "../match/event_mix.h"
#include "../timing.h"
#include "compile/rule_compiler.h"
#include "lang/pipeline.h"
#include "match/derive.h"
#include "output/record_batch_reader.h"
#include "output/record_json.h"
#include "output/record_json_reader.h"
#include "output/replay_alerts.h"

extern char** environ;

namespace vigil::bench {
namespace {

// Best and median of `rounds` runs of `body` (one pass over the input each), in ns per line.
struct Timing {
  double best = 0, median = 0;
};
template <typename F>
Timing Time(size_t lines, int rounds, F body) {
  std::vector<double> ns;
  for (int i = 0; i < rounds; ++i) {
    auto t0 = Clock::now();
    body();
    ns.push_back(Seconds(t0, Clock::now()) * 1e9 / static_cast<double>(lines));
  }
  std::sort(ns.begin(), ns.end());
  return {ns.front(), ns[ns.size() / 2]};
}

std::unique_ptr<match::RuleSet> CompileLibrary(const std::vector<std::string>& library,
                                               const std::string& extra) {
  lang::Program program;
  auto load_errors = lang::LoadSources(library, program);
  program.sources.Add("<bench-extra>", extra);
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

// Wall-clock seconds of one run of `argv` (stdout and stderr to /dev/null), -1 if it failed;
// `cpu`, when given, gets its user and system CPU seconds (all its threads).
double SpawnSeconds(const std::vector<std::string>& argv, double* cpu = nullptr) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  auto t0 = Clock::now();
  pid_t pid;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  double s = Seconds(t0, Clock::now());
  if (cpu)
    *cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? s : -1;
}

// The stages of the replay loop, cumulative: stage k does everything stage k-1 does, and more.
enum Stage { kSplit, kParse, kComplete, kEvaluate, kAlerts };

struct Loop {
  const match::RuleSet& rules;
  output::PolicyIndex policies;
  output::RecordJsonReader reader;
  simdjson::dom::parser bare;  // simdjson on its own (S)
  match::EventRecord record;
  std::string out;
  size_t alerts = 0, errors = 0;

  explicit Loop(const match::RuleSet& r) : rules(r) {
    for (const auto& p : rules.policies()) policies.emplace(p.name, p.index);
  }

  // simdjson's own parse of each line into its DOM, nothing else: no record, no walk. What
  // simdjson alone costs on this machine, the floor of any replay that parses with it.
  void BareParse(const std::string& text) {
    const char* p = text.data();
    const char* end = p + text.size();
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (!nl) nl = end;
      simdjson::dom::element doc;
      if (bare.parse(p, static_cast<size_t>(nl - p)).get(doc) != simdjson::SUCCESS ||
          doc.type() != simdjson::dom::element_type::OBJECT)
        ++errors;
      p = nl + 1;
    }
  }

  // One pass over `text` (JSON lines), as `vigil replay` does it, up to `stage` (the alerts
  // without the rules' throttles, as before they were added to this loop).
  void Run(const std::string& text, Stage stage, bool simd) {
    output::ReplayAlerts judge(rules, {.format = output::AlertFormat::kJson, .throttle = false});
    const char* p = text.data();
    const char* end = p + text.size();
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (!nl) nl = end;
      std::string_view line(p, nl - p);
      p = nl + 1;
      if (stage == kSplit) {
        Keep(line);
        continue;
      }
      auto read = simd ? reader.Read(line, policies, &record)
                       : output::RecordFromJsonLine(line, policies, &record);
      if (!read) ++errors;
      if (stage == kParse) continue;
      match::CompleteOfflineRecord(record);
      if (stage == kComplete) continue;
      if (stage == kEvaluate) {
        alerts += judge.Match(record).size();
        continue;
      }
      judge.Judge(record, &out);
      if (out.size() > (1 << 16)) {
        Keep(out);
        out.clear();
      }
    }
    judge.Finish(&out);
    alerts += judge.alerts();
  }

  // The whole loop as `vigil replay` runs it (the rules' throttles included): lines read from
  // `path` in batches, parsed and evaluated on a second thread too when `threaded`
  // (output::RecordBatchReader).
  void RunBatched(const std::string& path, bool threaded) {
    output::ReplayAlerts judge(rules, {});
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      ++errors;
      return;
    }
    {
      output::RecordBatchReader batches(fd, policies,
                                        threaded ? output::RecordBatchReader::Threads::kTwo
                                                 : output::RecordBatchReader::Threads::kOne,
                                        /*batch_lines=*/0, &rules);
      while (auto* batch = batches.Next()) {
        for (size_t i = 0; i < batch->size; ++i) {
          if (!batch->errors[i].empty()) {
            ++errors;
            continue;
          }
          // completed and evaluated by the reader
          judge.JudgeEvaluated(batch->records[i], batch->matches[i], &out);
        }
        if (out.size() > (1 << 16)) {
          Keep(out);
          out.clear();
        }
      }
    }
    judge.Finish(&out);
    alerts += judge.alerts();
    ::close(fd);
  }
};

int Run(int argc, char** argv) {
  const std::string src = VIGIL_SOURCE_DIR;
  std::string vigil, data_path, write_path;
  size_t total = 400'000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--events" && i + 1 < argc) {
      total = std::stoul(argv[++i]);
    } else if (a == "--write-events" && i + 1 < argc) {
      write_path = argv[++i];
    } else if (a == "--data" && i + 1 < argc) {
      data_path = argv[++i];
    } else {
      vigil = a;
    }
  }
  const std::vector<std::string> library = {src + "/rules", src + "/policies"};
  lang::Program counted;
  lang::LoadSources(library, counted);
  lang::Diagnostics d;
  lang::Analyze(counted, d);
  const size_t library_rules = counted.rule_order.size();
  // Generated rules top the library up to 60 (none when it has that many: MakeExtraRules(0)
  // would still write a policy selecting its empty tag).
  const std::string extra = library_rules >= 60 ? "" : MakeExtraRules(60 - library_rules);
  auto rules = CompileLibrary(library, extra);
  if (!rules) return 1;

  const auto events = MakeEventMix(4096, 20261125);
  std::string one_copy;
  for (const auto& e : events) one_copy += output::DumpJsonLine(output::RecordToJson(e)) + "\n";
  if (!write_path.empty()) {
    std::ofstream out(write_path);
    for (size_t n = 0; n < total; n += events.size()) out << one_copy;
    std::ofstream(write_path + ".vgl") << extra;
    std::printf("wrote %s (and the extra rules to %s.vgl)\n", write_path.c_str(),
                write_path.c_str());
    return 0;
  }
  // The in-process loops run over 16 copies (65,536 lines, 20 MB: larger than the caches).
  std::string text;
  for (int c = 0; c < 16; ++c) text += one_copy;
  const size_t lines = events.size() * 16;
  std::printf("rules: %zu; events: %zu lines of %.0f bytes on average (bench/match's mix)\n\n",
              rules->rules().size(), lines,
              static_cast<double>(one_copy.size()) / static_cast<double>(events.size()));

  // D reads the same lines from a file, as `vigil replay` does (page cache, no disk).
  char text_template[] = "/tmp/vigil-bench-replay-text-XXXXXX";
  const int text_fd = mkstemp(text_template);
  if (text_fd < 0 || write(text_fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return 1;
  close(text_fd);
  const std::string text_path = text_template;
  Loop loop(*rules);
  const int rounds = 7;
  // The old parser's rows are slow: fewer rounds.
  auto stage = [&](Stage s, bool simd) {
    return Time(lines, simd ? rounds : 3, [&] { loop.Run(text, s, simd); });
  };
  struct Row {
    const char* name;
    Timing t;
  };
  std::vector<Row> rows = {
      {"A0 split lines (baseline)", stage(kSplit, true)},
      {"A1 + parse, nlohmann (old)", stage(kParse, false)},
      {"A1 + parse, scanner + simdjson (new)", stage(kParse, true)},
      {"A2 + complete the record", stage(kComplete, true)},
      {"A3 + evaluate and correlate", stage(kEvaluate, true)},
      {"A4 + format the alerts (whole loop, new)", stage(kAlerts, true)},
      {"B  whole loop, old parser", stage(kAlerts, false)},
      {"D1 whole loop from a file, one thread",
       Time(lines, rounds, [&] { loop.RunBatched(text_path, false); })},
      {"D2 whole loop from a file, parsed on a 2nd thread",
       Time(lines, rounds, [&] { loop.RunBatched(text_path, true); })},
      {"S  simdjson's own parse (no record, no walk)",
       Time(lines, rounds, [&] { loop.BareParse(text); })},
  };
  std::remove(text_path.c_str());
  if (loop.errors) {
    std::fprintf(stderr, "bench_replay: %zu lines did not parse\n", loop.errors);
    return 1;
  }
  std::printf("%-52s %10s %10s %10s\n", "stage (in process, cumulative)", "best ns", "median ns",
              "M lines/s");
  for (const auto& r : rows)
    std::printf("%-52s %10.1f %10.1f %10.2f\n", r.name, r.t.best, r.t.median, 1e3 / r.t.best);
  const double parse_old = rows[1].t.best - rows[0].t.best;
  const double parse_new = rows[2].t.best - rows[0].t.best;
  std::printf("\nparse only: nlohmann %.0f ns, new reader %.0f ns: ratio %.2fx (old / new)\n",
              parse_old, parse_new, parse_old / parse_new);
  std::printf(
      "split of a line (new, differences of the best times): read %.0f ns, parse %.0f ns, "
      "complete %.0f ns, match %.0f ns, format the alerts %.0f ns\n",
      rows[0].t.best, rows[2].t.best - rows[0].t.best, rows[3].t.best - rows[2].t.best,
      rows[4].t.best - rows[3].t.best, rows[5].t.best - rows[4].t.best);
  std::printf("whole loop from a file: one thread %.0f ns, two threads %.0f ns: ratio %.2fx\n",
              rows[7].t.best, rows[8].t.best, rows[7].t.best / rows[8].t.best);
  std::printf("whole loop: old %.0f ns, new %.0f ns: ratio %.2fx (old / new)\n", rows[6].t.best,
              rows[5].t.best, rows[6].t.best / rows[5].t.best);
  // The ceiling: simdjson's own parse of a line, on one core, is the least any replay parsing
  // with it can spend per line; 1M lines/s on one core needs all of a line's work in 1000 ns.
  const double bare = rows[9].t.best;
  std::printf(
      "simdjson's own parse: %.0f ns a line, at most %.2f M lines/s on one core before any "
      "record is filled or rule evaluated; the whole loop (one thread) costs %.2fx that\n",
      bare, 1e3 / bare, rows[7].t.best / bare);
  std::printf(
      "reader: %llu lines read by the scanner, %llu on the simdjson path, %llu on the nlohmann "
      "path\n",
      static_cast<unsigned long long>(loop.reader.stats().scanned),
      static_cast<unsigned long long>(loop.reader.stats().fast),
      static_cast<unsigned long long>(loop.reader.stats().slow));

  FILE* data = data_path.empty() ? nullptr : std::fopen(data_path.c_str(), "w");
  if (data) {
    std::fprintf(data, "# stage\tbest_ns\tmedian_ns\n");
    for (const auto& r : rows) std::fprintf(data, "%s\t%.1f\t%.1f\n", r.name, r.t.best, r.t.median);
  }

  if (vigil.empty()) {
    std::printf("\n(pass the vigil binary as the first argument to time `vigil replay`)\n");
    if (data) std::fclose(data);
    return 0;
  }
  // C. End to end: a file of `total` lines, and an empty one for the start-up.
  char dir_template[] = "/tmp/vigil-bench-replay-XXXXXX";
  if (!mkdtemp(dir_template)) return 1;
  const std::string dir = dir_template;
  const std::string events_path = dir + "/events.jsonl", empty_path = dir + "/empty.jsonl",
                    extra_path = dir + "/extra.vgl";
  if (!extra.empty()) std::ofstream(extra_path) << extra;
  std::ofstream(empty_path).flush();
  {
    std::ofstream out(events_path);
    for (size_t n = 0; n < total; n += events.size()) out << one_copy;
  }
  const size_t n = (total + events.size() - 1) / events.size() * events.size();
  auto replay = [&](const std::string& file, const char* threads, double* cpu = nullptr) {
    std::vector<std::string> argv = {vigil,      "replay",       "--threads", threads,
                                     "--policy", src + "/rules", "--policy",  src + "/policies"};
    if (!extra.empty()) argv.insert(argv.end(), {"--policy", extra_path});
    argv.push_back(file);
    return SpawnSeconds(argv, cpu);
  };
  // Interleaved rounds: the baseline (cat reading the same file to /dev/null), the start-up
  // (an empty file), then the whole file with one thread and with two.
  // CPU seconds too: on a shared machine the wall clock says mostly how much of a core the
  // process was given; its CPU time says what it cost.
  std::vector<double> cat, startup, one, two, startup_cpu, one_cpu, two_cpu;
  for (int i = 0; i < 5; ++i) {
    double c0 = 0, c1 = 0, c2 = 0;
    cat.push_back(SpawnSeconds({"/bin/cat", events_path}));
    startup.push_back(replay(empty_path, "1", &c0));
    one.push_back(replay(events_path, "1", &c1));
    two.push_back(replay(events_path, "2", &c2));
    startup_cpu.push_back(c0);
    one_cpu.push_back(c1);
    two_cpu.push_back(c2);
  }
  for (auto* v : {&cat, &startup, &one, &two, &startup_cpu, &one_cpu, &two_cpu})
    std::sort(v->begin(), v->end());
  std::remove(events_path.c_str());
  std::remove(empty_path.c_str());
  std::remove(extra_path.c_str());
  rmdir(dir.c_str());
  if (cat.front() < 0 || startup.front() < 0 || one.front() < 0 || two.front() < 0) {
    std::fprintf(stderr, "bench_replay: vigil replay failed\n");
    if (data) std::fclose(data);
    return 1;
  }
  std::printf("\nC  %zu lines (%.0f MB), best of 5 interleaved rounds (median):\n", n,
              static_cast<double>(n) * static_cast<double>(one_copy.size()) /
                  static_cast<double>(events.size()) / 1e6);
  std::printf("   cat FILE >/dev/null (baseline)        %7.3f s (%.3f)\n", cat.front(), cat[2]);
  std::printf("   vigil replay, empty file (start-up)   %7.3f s (%.3f)\n", startup.front(),
              startup[2]);
  struct EndToEnd {
    const char* name;
    const std::vector<double>& t;
    const std::vector<double>& cpu;
  };
  for (const EndToEnd& e :
       {EndToEnd{"--threads 1", one, one_cpu}, EndToEnd{"--threads 2", two, two_cpu}}) {
    const double with_start = static_cast<double>(n) / e.t.front() / 1e6;
    const double events_only = static_cast<double>(n) / (e.t.front() - startup.front()) / 1e6;
    const double per_cpu = static_cast<double>(n) / (e.cpu.front() - startup_cpu.front()) / 1e6;
    const double line_ns = (e.t.front() - startup.front()) * 1e9 / static_cast<double>(n);
    std::printf(
        "   vigil replay %s                %7.3f s (%.3f): %.2fx cat; %.2f M events/s "
        "with start-up, %.2f M events/s after it (%s 1M/s)\n",
        e.name, e.t.front(), e.t[2], e.t.front() / cat.front(), with_start, events_only,
        events_only >= 1.0 ? "meets" : "BELOW");
    std::printf(
        "       CPU %.3f s (median %.3f), start-up %.3f s: %.2f M events per CPU second "
        "after the start-up\n",
        e.cpu.front(), e.cpu[2], startup_cpu.front(), per_cpu);
    std::printf(
        "       %.0f ns a line after the start-up: replay costs %.2fx simdjson's own parse "
        "(%.0f ns) in wall time, %.2fx in CPU time\n",
        line_ns, line_ns / bare, bare, 1e3 / per_cpu / bare);
  }
  if (data) {
    std::fprintf(data, "C cat (baseline)\t%.1f\t%.1f\n", cat.front() * 1e9 / n, cat[2] * 1e9 / n);
    std::fprintf(data, "C vigil replay --threads 1\t%.1f\t%.1f\n", one.front() * 1e9 / n,
                 one[2] * 1e9 / n);
    std::fprintf(data, "C vigil replay --threads 2\t%.1f\t%.1f\n", two.front() * 1e9 / n,
                 two[2] * 1e9 / n);
    std::fprintf(data, "C start-up (s)\t%.3f\t%.3f\n", startup.front(), startup[2]);
    std::fprintf(data, "C vigil replay --threads 1, CPU\t%.1f\t%.1f\n", one_cpu.front() * 1e9 / n,
                 one_cpu[2] * 1e9 / n);
    std::fprintf(data, "C vigil replay --threads 2, CPU\t%.1f\t%.1f\n", two_cpu.front() * 1e9 / n,
                 two_cpu[2] * 1e9 / n);
    std::fclose(data);
  }
  return 0;
}

}  // namespace
}  // namespace vigil::bench

int main(int argc, char** argv) {
  return vigil::bench::Run(argc, argv);
}
