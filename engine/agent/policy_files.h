// Which files a policy path stands for, and whether they are safe to load as root: a rule
// file that another user can change is a way to switch detection off (or to kill processes
// through `action kill`), so the agent refuses it unless told otherwise.
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

namespace vigil::agent {

struct PermissionProblem {
  std::string path;
  std::string reason;  // "writable by others (mode 0666)", "owned by uid 1000, not root"
};

// Checks each file and the directories that contain it (up to the root): each must be owned
// by root (or by `trusted_uid`) and not writable by group or others. Symlinks are followed,
// and the link itself is checked too (a Kubernetes ConfigMap mounts files through `..data`).
// One exception: the root of a ConfigMap or Secret volume, which the kubelet creates 0777, is
// accepted when it is a read-only mount holding the kubelet's atomic-writer layout (docs/agent.md,
// "Policy files").
std::vector<PermissionProblem> CheckPolicyPermissions(const std::vector<std::string>& files,
                                                      uid_t trusted_uid = 0);

}  // namespace vigil::agent
