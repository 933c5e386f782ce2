// Kubernetes pod metadata from an OCI bundle's config.json: the CRI runtimes copy the pod's name,
// namespace and uid into the runtime spec's "annotations" (containerd as io.kubernetes.cri.*,
// CRI-O as io.kubernetes.pod.* plus a JSON map of labels), where vigil can read them without
// talking to the kubelet or the API server. The same file says what the container may do
// (capabilities, devices, namespaces it does not get its own of) and, through the runtimes'
// annotations, which image it runs.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "util/result.h"

namespace vigil::proctree {

struct PodMetadata {
  std::string pod_name;
  std::string pod_namespace;
  std::string pod_uid;
  std::string container_name;
  std::string container_type;  // "sandbox" (the pause container) or "container"
  std::string sandbox_id;
  std::map<std::string, std::string> labels;  // CRI-O's io.kubernetes.cri-o.Labels
  std::string image;         // as the runtime was asked for it (CRI-O, containerd CRI)
  std::string image_digest;  // "sha256:<hex>" when an image reference carries one
  // From the spec itself (spec_read: the spec, not only its annotations, was read):
  bool spec_read = false;
  // CAP_SYS_ADMIN in the bounding set, or the device cgroup allowing every device (what
  // `docker run --privileged` and a Kubernetes `privileged: true` container get).
  bool privileged = false;
  // Namespace types the spec does not create nor join (so the container shares the host's):
  // "net", "pid", "ipc", "uts", "mount", "user", "cgroup".
  std::vector<std::string> host_namespaces;

  bool empty() const { return pod_name.empty() && pod_namespace.empty() && pod_uid.empty(); }
  bool operator==(const PodMetadata&) const = default;
};

// The "annotations" object of a config.json text. Non-string values are skipped. Errors: the
// text is not JSON or not an object. A config without annotations gives an empty map.
Result<std::map<std::string, std::string>> ParseOciAnnotations(std::string_view config_json);

// Pod metadata from annotations (either runtime's keys).
PodMetadata PodFromAnnotations(const std::map<std::string, std::string>& annotations);

// Privilege and host namespaces from a parsed spec (config.json's top level object).
void ReadSpecPrivileges(const nlohmann::json& spec, PodMetadata* out);

// Both steps over a config.json text, and the spec's privileges.
Result<PodMetadata> PodFromOciConfig(std::string_view config_json);

}  // namespace vigil::proctree
