#include "proctree/entity.h"

#include "bpf/entity.h"

namespace vigil::proctree {

uint64_t EntityFromStartNs(uint32_t tgid, uint64_t start_ns) {
  return vigil_entity(tgid, start_ns);
}

uint64_t EntityFromProcTicks(uint32_t tgid, uint64_t ticks, uint64_t ticks_per_second) {
  if (ticks_per_second == 0 || ticks_per_second == VIGIL_USER_HZ) {
    return vigil_entity_from_ticks(tgid, ticks);
  }
  // Through ns, so the result is the tick the BPF side computes from start_boottime.
  return vigil_entity(tgid, ProcTicksToNs(ticks, ticks_per_second));
}

uint64_t ProcTicksToNs(uint64_t ticks, uint64_t ticks_per_second) {
  if (ticks_per_second == 0) ticks_per_second = VIGIL_USER_HZ;
  const uint64_t ns_per_tick = 1000000000ULL / ticks_per_second;
  return ticks * ns_per_tick;
}

}  // namespace vigil::proctree
