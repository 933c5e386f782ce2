// The host every event happened on: its name (the UTS host name of the agent's namespace, which
// an administrator may change while vigil runs) and its machine id (systemd's /etc/machine-id,
// stable across reboots). Read once; the name is re-read at most once per refresh interval.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigil::proctree {

struct HostIdentityOptions {
  std::string hostname_path = "/proc/sys/kernel/hostname";
  // The first readable file that holds an id wins (D-Bus keeps a copy on hosts without systemd).
  std::vector<std::string> machine_id_paths = {"/etc/machine-id", "/var/lib/dbus/machine-id"};
  uint64_t refresh_interval_ns = 1'000'000'000ULL;
  // A fixed host name (`vigil run --host-name`): used as is, hostname_path is not read. In a
  // Kubernetes pod the UTS host name is the pod's, so the DaemonSet passes the node's name.
  std::string fixed_name;
};

class HostIdentity {
 public:
  explicit HostIdentity(HostIdentityOptions options = {});

  // host.name and host.id; empty when they could not be read.
  const std::string& name() const { return name_; }
  const std::string& id() const { return id_; }

  // Re-reads the host name when refresh_interval_ns passed since the last read (now_ns: any
  // monotonic clock, the events' one). Returns true when the name changed.
  bool Refresh(uint64_t now_ns);

  uint64_t name_changes() const { return name_changes_; }

 private:
  std::string ReadName() const;

  HostIdentityOptions options_;
  std::string name_, id_;
  uint64_t last_read_ns_ = 0;
  uint64_t name_changes_ = 0;
};

// The first line of a host name or machine id file without its surrounding white space.
std::string TrimmedFirstLine(const std::string& text);

}  // namespace vigil::proctree
