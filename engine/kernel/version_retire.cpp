// Deleting the kernel entries of policy versions nobody uses any more (after a hot reload).
// Every versioned hash map's key starts with the version (bpf/events.h), so one walk per map finds
// them without rebuilding the old plan (pf_prefix's after its LPM prefix length). (event_policies
// and pf_config are arrays whose entries carry their version: Sensors::Apply overwrites a slot,
// nothing to delete.)
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "kernel/sensors.h"
#include "vigil.skel.h"

namespace vigil::kernel {

Result<size_t> Sensors::RetireVersionsBefore(uint32_t first_kept) {
  auto& m = skel_->maps;
  bpf_map* versioned[] = {m.policy_config, m.scope_uid,    m.scope_gid,    m.scope_pid,
                          m.scope_mntns,   m.scope_pidns,  m.scope_cgroup, m.scope_comm,
                          m.scope_uts,     m.scope_binary, m.kill_exec,    m.pf_suffix,
                          m.pf_prefix};
  size_t deleted = 0;
  for (bpf_map* map : versioned) {
    const size_t key_size = bpf_map__key_size(map);
    std::vector<uint8_t> key(key_size), next(key_size);
    std::vector<std::vector<uint8_t>> doomed;
    const void* prev = nullptr;
    while (bpf_map__get_next_key(map, prev, next.data(), key_size) == 0) {
      // pf_prefix's key (an LPM trie's) starts with its prefix length, then the version.
      uint32_t version;
      std::memcpy(&version, next.data() + (map == m.pf_prefix ? sizeof(uint32_t) : 0),
                  sizeof version);
      if (version < first_kept) doomed.push_back(next);
      key = next;
      prev = key.data();
    }
    for (const auto& k : doomed) {
      if (bpf_map__delete_elem(map, k.data(), key_size, 0) != 0 && errno != ENOENT)
        return Error{std::string("cannot delete an old entry of ") + bpf_map__name(map) + ": " +
                     std::strerror(errno)};
      ++deleted;
    }
  }
  return deleted;
}

}  // namespace vigil::kernel
