// `vigil trace` and `vigil record` in one: a session for a TraceSpec whose every delivered event
// is written as one line (the event JSON of output/event_json.h, or the text form) until SIGINT
// or SIGTERM. SIGUSR1 logs the counters without stopping.
#pragma once

#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "runtime/session.h"
#include "runtime/trace_spec.h"
#include "util/result.h"

namespace vigil::runtime {

enum class EventFormat { kJson, kText };

struct EventStreamOptions {
  TraceSpec spec;
  SessionOptions session;
  EventFormat format = EventFormat::kJson;
  // Write only events the scope matched: lifecycle events of processes outside it (delivered
  // for the process tree) are left out.
  bool only_in_scope = false;
  bool flush_each_line = true;  // a terminal or a pipe sees each event at once
};

struct EventStreamReport {
  uint64_t written = 0;
  uint64_t write_errors = 0;
  std::string stats;  // the session's final counters
};

// A session for `spec`, opened and with its plan applied: Start(handler) begins the delivery.
Result<std::unique_ptr<Session>> OpenTraceSession(const TraceSpec& spec,
                                                  const SessionOptions& options);

// Blocks SIGINT, SIGTERM and SIGUSR1 in the calling thread, before any thread starts, so that
// WaitUntilStopped can take them.
sigset_t BlockStopSignals();

// Waits for SIGINT or SIGTERM, calling session.Tick() every 100 ms and `on_usr1` for SIGUSR1.
void WaitUntilStopped(Session& session, const sigset_t& signals,
                      const std::function<void()>& on_usr1);

// Runs the stream, writing to `out`. `signals` must be blocked (BlockStopSignals). Logs "ready"
// once the programs are attached.
Result<EventStreamReport> RunEventStream(const EventStreamOptions& options, std::FILE* out,
                                         const sigset_t& signals);

}  // namespace vigil::runtime
