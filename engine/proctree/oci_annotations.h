// Kubernetes pod metadata from an OCI bundle's config.json: the CRI runtimes copy the pod's name,
// namespace and uid into the runtime spec's "annotations" (containerd as io.kubernetes.cri.*,
// CRI-O as io.kubernetes.pod.* plus a JSON map of labels), where vigil can read them without
// talking to the kubelet or the API server.
#pragma once

#include <map>
#include <string>
#include <string_view>

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

  bool empty() const { return pod_name.empty() && pod_namespace.empty() && pod_uid.empty(); }
  bool operator==(const PodMetadata&) const = default;
};

// The "annotations" object of a config.json text. Non-string values are skipped. Errors: the
// text is not JSON or not an object. A config without annotations gives an empty map.
Result<std::map<std::string, std::string>> ParseOciAnnotations(std::string_view config_json);

// Pod metadata from annotations (either runtime's keys).
PodMetadata PodFromAnnotations(const std::map<std::string, std::string>& annotations);

// Both steps over a config.json text.
Result<PodMetadata> PodFromOciConfig(std::string_view config_json);

}  // namespace vigil::proctree
