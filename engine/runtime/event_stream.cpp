#include "runtime/event_stream.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <ctime>

#include "match/event_record.h"
#include "output/event_json.h"
#include "output/record_json.h"

namespace vigil::runtime {

sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGINT, SIGTERM, SIGUSR1}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

void WaitUntilStopped(Session& session, const sigset_t& signals,
                      const std::function<void()>& on_usr1) {
  const timespec tick = {0, 100'000'000};
  for (;;) {
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    session.Tick();
    if (sig < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return;
    }
    if (sig != SIGUSR1) return;
    if (on_usr1) on_usr1();
  }
}

namespace {

// Writes each delivered event as one line; called by the session with its event lock held.
class LineWriter {
 public:
  LineWriter(Session& session, const EventStreamOptions& options, std::FILE* out)
      : session_(session), options_(options), out_(out) {}

  void Write(const kernel::Event& event) {
    if (options_.only_in_scope && event.matched == 0) return;
    line_.clear();
    if (options_.format == EventFormat::kText) {
      output::AppendEventText(line_, event);
    } else {
      // Before the tree is seeded (and when the session keeps none) the record still holds the
      // event's own fields, marked incomplete.
      if (!session_.enricher().Fill(event, record_)) return;
      line_ = output::DumpJsonLine(output::EventToJson(record_, &event, session_.clock()));
    }
    line_ += '\n';
    if (std::fwrite(line_.data(), 1, line_.size(), out_) != line_.size()) ++report_.write_errors;
    if (options_.flush_each_line) std::fflush(out_);
    ++report_.written;
  }

  EventStreamReport& report() { return report_; }

 private:
  Session& session_;
  const EventStreamOptions& options_;
  std::FILE* out_;
  match::EventRecord record_;
  std::string line_;
  EventStreamReport report_;
};

}  // namespace

Result<std::unique_ptr<Session>> OpenTraceSession(const TraceSpec& spec,
                                                  const SessionOptions& options) {
  auto session = Session::Open(options);
  if (!session) return Error{session.error()};
  Session& s = *session.value();
  auto plan = BuildTracePlan(spec, s.PlanOptions(1, spec.lifecycle_all));
  if (!plan) return Error{plan.error()};
  if (auto applied = s.Apply(plan.value()); !applied) return Error{applied.error()};
  return session;
}

Result<EventStreamReport> RunEventStream(const EventStreamOptions& options, std::FILE* out,
                                         const sigset_t& signals) {
  SessionOptions session_options = options.session;
  session_options.process_tree = options.format == EventFormat::kJson;
  auto session = OpenTraceSession(options.spec, session_options);
  if (!session) return Error{session.error()};
  Session& s = *session.value();
  LineWriter writer(s, options, out);
  if (auto started = s.Start([&writer](const kernel::Event& e) { writer.Write(e); }); !started) {
    s.Stop();  // the reader may have started: it may not outlive the writer
    return Error{started.error()};
  }
  spdlog::info("ready");
  WaitUntilStopped(s, signals, [&] {
    const uint64_t written = s.Locked([&] { return writer.report().written; });
    spdlog::info("stats: {} events written; {}", written, s.StatsLine());
  });
  s.Stop();
  std::fflush(out);
  EventStreamReport report = s.Locked([&] { return writer.report(); });
  report.stats = s.StatsLine();
  return report;
}

}  // namespace vigil::runtime
