// libFuzzer target: container identity from cgroup text. The input is read both as the text
// of /proc/PID/cgroup and as one cgroup path (the kernel's cgroup names are chosen by whoever
// creates the cgroup, so any bytes can appear).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proctree/container_id.h"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)proctree::PrimaryCgroupPath(text);
  (void)proctree::ContainerFromProcCgroup(text);
  (void)proctree::ContainerFromCgroupPath(text);
  return 0;
}
