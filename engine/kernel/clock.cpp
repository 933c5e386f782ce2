#include "kernel/clock.h"

#include <bpf/libbpf.h>
#include <time.h>

#include <cstring>

namespace vigil::kernel {

Result<ClockDecision> DecideClock(int probe_result) {
  if (probe_result == 1)
    return ClockDecision{ClockSource::kBoottime,
                         "bpf_ktime_get_boot_ns is available (helper probe returned 1)"};
  if (probe_result == 0)
    return ClockDecision{ClockSource::kMonotonic,
                         "kernel lacks bpf_ktime_get_boot_ns (helper probe returned 0); "
                         "BPF and user space both use CLOCK_MONOTONIC"};
  return Error{std::string("cannot probe BPF helper support: ") + std::strerror(-probe_result) +
               " (probe returned " + std::to_string(probe_result) + ")"};
}

Result<ClockDecision> ProbeClock(const HelperProbe& probe) {
  int rc = probe ? probe()
                 : libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_ktime_get_boot_ns,
                                           nullptr);
  return DecideClock(rc);
}

const char* ClockName(ClockSource source) {
  return source == ClockSource::kBoottime ? "boottime" : "monotonic";
}

uint64_t ClockNowNs(ClockSource source) {
  timespec ts{};
  clock_gettime(source == ClockSource::kBoottime ? CLOCK_BOOTTIME : CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace vigil::kernel
