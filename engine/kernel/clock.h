// The one clock of vigil (FIELD-LESSONS 1, 2): CLOCK_BOOTTIME when the kernel has the
// bpf_ktime_get_boot_ns helper, CLOCK_MONOTONIC otherwise, decided once from the helper probe's
// return value (never from errno) and used by BPF and user space alike.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "util/result.h"

namespace vigil::kernel {

enum class ClockSource { kBoottime, kMonotonic };

struct ClockDecision {
  ClockSource source = ClockSource::kBoottime;
  std::string reason;  // why, for the log
};

// Decides from a libbpf_probe_bpf_helper() result: 1 supported, 0 unsupported, negative = the
// probe itself failed (for example no permission), which is an error, not "unsupported".
Result<ClockDecision> DecideClock(int probe_result);

// Runs `probe` (default: libbpf's helper probe for bpf_ktime_get_boot_ns in a tracepoint
// program) and decides. errno is not consulted.
using HelperProbe = std::function<int()>;
Result<ClockDecision> ProbeClock(const HelperProbe& probe = {});

const char* ClockName(ClockSource source);
uint64_t ClockNowNs(ClockSource source);

}  // namespace vigil::kernel
