// A running set of sensors for one scope and a set of event types: probes the clock, makes sure
// tracefs is there, compiles the scope into a kernel plan, loads and attaches the programs and
// starts the readers. Used by `vigil trace` and by the e2e tests and benchmarks.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "compile/kernel_plan.h"
#include "kernel/clock.h"
#include "kernel/ring_reader.h"
#include "kernel/sensors.h"
#include "lang/scope.h"
#include "util/result.h"

namespace vigil::kernel {

struct TraceOptions {
  std::set<uint16_t> event_types;  // enum vigil_event_type
  lang::Scope scope;               // empty = global
  uint32_t proc_info_entries = 0;  // 0 = from the host
  uint32_t ring_bytes = 16u << 20;
  bool lifecycle_all = false;  // deliver exec/fork/exit of processes outside the scope too
  std::function<void(bpf_object*)> before_load;  // see SensorOptions::before_load
};

class Tracer {
 public:
  static Result<std::unique_ptr<Tracer>> Start(const TraceOptions& options, RingReader::Sink sink);
  ~Tracer();

  ClockSource clock() const { return clock_; }
  // Stops the readers after draining the buffers (the programs stay attached until destruction).
  void Stop();
  KernelStats kernel_stats() const { return sensors_->ReadStats(); }
  const RingReader& reader() const { return *reader_; }
  const Sensors& sensors() const { return *sensors_; }
  // One line: events per type, drops per buffer, decode errors and the kernel's counters.
  std::string StatsLine() const;

 private:
  Tracer() = default;
  ClockSource clock_ = ClockSource::kBoottime;
  std::unique_ptr<Sensors> sensors_;
  std::unique_ptr<RingReader> reader_;
};

// Inode of the host's pid namespace (/proc/1/ns/pid, or our own when PID 1's is unreadable).
uint64_t HostPidNamespace();

}  // namespace vigil::kernel
