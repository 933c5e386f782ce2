// Process identity for user space: thin adaptors over bpf/entity.h, the one implementation of
// the entity hash shared with the BPF programs (FIELD-LESSONS 1). Nothing here hashes on its own.
#pragma once

#include <cstdint>

namespace vigil::proctree {

// Entity of a process from its tgid and CLOCK_BOOTTIME start in ns (what BPF events carry).
uint64_t EntityFromStartNs(uint32_t tgid, uint64_t start_ns);

// Entity from /proc/PID/stat's starttime, counted in ticks of `ticks_per_second`
// (sysconf(_SC_CLK_TCK)); converted to the tick the hash is defined on when they differ.
uint64_t EntityFromProcTicks(uint32_t tgid, uint64_t ticks, uint64_t ticks_per_second);

// Start time in ns since boot for a /proc starttime (precision: one tick).
uint64_t ProcTicksToNs(uint64_t ticks, uint64_t ticks_per_second);

}  // namespace vigil::proctree
