// Container and pod identity from a process's cgroup path: the container runtimes name the
// cgroup of each container after its id (docker-<id>.scope, /docker/<id>, cri-containerd-<id>,
// crio-<id>, libpod-<id>, ...), and the kubelet puts pods under kubepods[/<qos>]/pod<uid>.
// Pure string work over cgroup v1 and v2 layouts and both cgroup drivers (cgroupfs, systemd).
#pragma once

#include <string>
#include <string_view>

namespace vigil::proctree {

struct ContainerIdentity {
  std::string id;       // container id; empty for a host process
  std::string runtime;  // docker, containerd, cri-o, podman, runc, crun; empty when the path
                        // does not say (bare ids under kubepods or a plain parent folder)
  std::string pod_uid;  // Kubernetes pod uid with dashes; empty outside a pod
  std::string qos;      // guaranteed, burstable, besteffort; empty outside a pod

  bool in_container() const { return !id.empty(); }
  bool operator==(const ContainerIdentity&) const = default;
};

// Identity from one cgroup path ("/kubepods.slice/.../cri-containerd-<id>.scope"). The innermost
// component naming a container wins (nested containers). Runtime monitors (crio-conmon-<id>,
// libpod-conmon-<id>) run on the host side and yield no container id.
ContainerIdentity ContainerFromCgroupPath(std::string_view path);

// Identity from the text of /proc/PID/cgroup ("ID:controllers:path" lines, v1 and v2 mixed on a
// hybrid host). The unified (v2, "0::") line is preferred; otherwise the first line that names a
// container. Malformed lines are skipped.
ContainerIdentity ContainerFromProcCgroup(std::string_view proc_cgroup_text);

// The path of the unified (v2) hierarchy from /proc/PID/cgroup text, else the name=systemd path,
// else the first path; empty when there is none.
std::string_view PrimaryCgroupPath(std::string_view proc_cgroup_text);

}  // namespace vigil::proctree
