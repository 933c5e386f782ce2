#include "kernel/tracer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "bpf/events.h"
#include "kernel/event_types.h"
#include "kernel/tracefs.h"

namespace vigil::kernel {

uint64_t HostPidNamespace() {
  struct stat st {};
  if (stat("/proc/1/ns/pid", &st) == 0) return st.st_ino;
  const int err = errno;
  if (stat("/proc/self/ns/pid", &st) == 0) {
    spdlog::info("cannot read /proc/1/ns/pid ({}); taking vigil's own pid namespace as the host's",
                 std::strerror(err));
    return st.st_ino;
  }
  return 0;
}

Result<std::unique_ptr<Tracer>> Tracer::Start(const TraceOptions& options, RingReader::Sink sink) {
  std::unique_ptr<Tracer> self(new Tracer());
  auto clock = ProbeClock();
  if (!clock) return Error{clock.error()};
  self->clock_ = clock->source;
  spdlog::info("clock: {} ({})", ClockName(clock->source), clock->reason);

  auto tracefs = EnsureTracefs();
  if (!tracefs) return Error{tracefs.error()};

  compile::KernelPolicyInput policy;
  policy.name = "trace";
  policy.scope = options.scope;
  policy.event_types = options.event_types;
  compile::KernelPlanOptions plan_options;
  plan_options.version = 1;
  plan_options.loaded_at_ns = ClockNowNs(ClockSource::kBoottime);
  plan_options.host_pidns = HostPidNamespace();
  plan_options.lifecycle_all = options.lifecycle_all;
  auto built = compile::BuildKernelPlan({policy}, plan_options);
  if (!built) return Error{built.error()};
  const compile::KernelPlan& plan = *built;

  SensorOptions sensor_options;
  sensor_options.clock = self->clock_;
  sensor_options.tracefs_root = tracefs.value();
  sensor_options.event_types = plan.event_types;
  sensor_options.proc_info_entries = options.proc_info_entries;
  sensor_options.ring_bytes = options.ring_bytes;
  sensor_options.before_load = options.before_load;
  auto sensors = Sensors::Load(sensor_options);
  if (!sensors) return Error{sensors.error()};
  self->sensors_ = std::move(sensors.value());
  spdlog::info("proc_info holds {} processes", self->sensors_->proc_info_entries());

  // Maps first, then the programs: nothing runs against an empty configuration.
  if (auto s = self->sensors_->Apply(plan); !s) return Error{s.error()};
  auto reader = RingReader::Start(
      {{"main", self->sensors_->events_fd()}, {"net", self->sensors_->net_events_fd()}},
      std::move(sink));
  if (!reader) return Error{reader.error()};
  self->reader_ = std::move(reader.value());
  if (auto s = self->sensors_->Attach(); !s) return Error{s.error()};
  spdlog::info("attached {} BPF programs", self->sensors_->attached_programs());
  return self;
}

Tracer::~Tracer() {
  Stop();
  reader_.reset();
  sensors_.reset();
}

void Tracer::Stop() {
  if (reader_) reader_->Stop();
}

std::string Tracer::StatsLine() const {
  std::string out = "stats: events";
  uint64_t total = 0;
  for (uint16_t t = 1; t < VIGIL_EVT_MAX; ++t) {
    const uint64_t n = reader_ ? reader_->events_of_type(t) : 0;
    total += n;
    if (n) fmt::format_to(std::back_inserter(out), " {}={}", EventTypeName(t), n);
  }
  const KernelStats k = sensors_->ReadStats();
  fmt::format_to(std::back_inserter(out),
                 " total={}; buffers main={} net={}; drops main={} net={}; decode_errors={};",
                 total, reader_ ? reader_->records_from(0) : 0,
                 reader_ ? reader_->records_from(1) : 0, k[VIGIL_STAT_DROP_MAIN],
                 k[VIGIL_STAT_DROP_NET], reader_ ? reader_->decode_errors() : 0);
  out += " kernel";
  for (int i = VIGIL_STAT_FILTERED; i < VIGIL_STAT_MAX; ++i)
    fmt::format_to(std::back_inserter(out), " {}={}", StatName(i), k[i]);
  fmt::format_to(std::back_inserter(out), "; proc_info_size={}", sensors_->proc_info_entries());
  if (!sensors_->fallback_syscalls().empty()) {
    out += "; raw_syscalls_fallback=";
    for (size_t i = 0; i < sensors_->fallback_syscalls().size(); ++i)
      out += (i ? "," : "") + sensors_->fallback_syscalls()[i];
  }
  return out;
}

}  // namespace vigil::kernel
