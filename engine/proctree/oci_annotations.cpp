#include "proctree/oci_annotations.h"

#include <nlohmann/json.hpp>

namespace vigil::proctree {
namespace {

using Map = std::map<std::string, std::string>;

// Keys in order of preference: CRI-O / dockershim names first, then containerd's.
std::string First(const Map& annotations, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = annotations.find(key);
    if (it != annotations.end() && !it->second.empty()) return it->second;
  }
  return {};
}

}  // namespace

Result<Map> ParseOciAnnotations(std::string_view config_json) {
  nlohmann::json doc = nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error{"config.json is not valid JSON"};
  if (!doc.is_object()) return Error{"config.json is not a JSON object"};
  Map out;
  auto it = doc.find("annotations");
  if (it == doc.end() || it->is_null()) return out;
  if (!it->is_object()) return Error{"config.json: \"annotations\" is not an object"};
  for (const auto& [key, value] : it->items()) {
    if (value.is_string()) out.emplace(key, value.get<std::string>());
  }
  return out;
}

PodMetadata PodFromAnnotations(const Map& annotations) {
  PodMetadata pod;
  pod.pod_name = First(annotations, {"io.kubernetes.pod.name", "io.kubernetes.cri.sandbox-name"});
  pod.pod_namespace =
      First(annotations, {"io.kubernetes.pod.namespace", "io.kubernetes.cri.sandbox-namespace"});
  pod.pod_uid = First(annotations, {"io.kubernetes.pod.uid", "io.kubernetes.cri.sandbox-uid"});
  pod.container_name =
      First(annotations, {"io.kubernetes.container.name", "io.kubernetes.cri.container-name"});
  pod.container_type =
      First(annotations, {"io.kubernetes.cri-o.ContainerType", "io.kubernetes.cri.container-type"});
  pod.sandbox_id =
      First(annotations, {"io.kubernetes.cri-o.SandboxID", "io.kubernetes.cri.sandbox-id"});
  auto labels = annotations.find("io.kubernetes.cri-o.Labels");
  if (labels != annotations.end()) {
    nlohmann::json doc = nlohmann::json::parse(labels->second, nullptr, false);
    if (!doc.is_discarded() && doc.is_object()) {
      for (const auto& [key, value] : doc.items()) {
        if (value.is_string()) pod.labels.emplace(key, value.get<std::string>());
      }
    }
  }
  return pod;
}

Result<PodMetadata> PodFromOciConfig(std::string_view config_json) {
  Result<Map> annotations = ParseOciAnnotations(config_json);
  if (!annotations) return Error{annotations.error()};
  return PodFromAnnotations(annotations.value());
}

}  // namespace vigil::proctree
