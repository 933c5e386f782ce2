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
  pod.image = First(annotations, {"io.kubernetes.cri-o.ImageName", "io.kubernetes.cri.image-name",
                                  "org.opencontainers.image.ref.name"});
  if (pod.container_name.empty()) pod.container_name = First(annotations, {"nerdctl/name"});
  // A digest where a reference pins one: "registry/app@sha256:<hex>".
  for (const char* key : {"io.kubernetes.cri-o.ImageRef", "io.kubernetes.cri-o.ImageName",
                          "io.kubernetes.cri.image-name", "org.opencontainers.image.ref.name"}) {
    auto it = annotations.find(key);
    if (it == annotations.end()) continue;
    size_t at = it->second.find("@sha256:");
    if (at != std::string::npos) {
      pod.image_digest = it->second.substr(at + 1);
      break;
    }
  }
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

void ReadSpecPrivileges(const nlohmann::json& spec, PodMetadata* out) {
  out->spec_read = true;
  out->privileged = false;
  out->host_namespaces.clear();
  const nlohmann::json* bounding = nullptr;
  if (auto p = spec.find("process"); p != spec.end() && p->is_object())
    if (auto c = p->find("capabilities"); c != p->end() && c->is_object())
      if (auto b = c->find("bounding"); b != c->end() && b->is_array()) bounding = &*b;
  if (bounding)
    for (const auto& cap : *bounding)
      if (cap.is_string() && cap.get_ref<const std::string&>() == "CAP_SYS_ADMIN")
        out->privileged = true;
  auto linux_it = spec.find("linux");
  if (linux_it == spec.end() || !linux_it->is_object()) return;
  const nlohmann::json& lx = *linux_it;
  // The device cgroup's rules apply in order, the last one matching a device winning; a rule
  // with no type (or "a") and no major/minor matches every device.
  bool all_devices = false;
  if (auto r = lx.find("resources"); r != lx.end() && r->is_object())
    if (auto d = r->find("devices"); d != r->end() && d->is_array())
      for (const auto& rule : *d) {
        if (!rule.is_object()) continue;
        auto type = rule.find("type");
        bool any_type = type == rule.end() || type->is_null() ||
                        (type->is_string() && type->get_ref<const std::string&>() == "a");
        auto major = rule.find("major"), minor = rule.find("minor");
        bool any_number = (major == rule.end() || major->is_null() || *major == -1) &&
                          (minor == rule.end() || minor->is_null() || *minor == -1);
        if (!any_type || !any_number) continue;
        auto allow = rule.find("allow");
        auto access = rule.find("access");
        std::string acc = access != rule.end() && access->is_string() ? access->get<std::string>()
                                                                      : std::string("rwm");
        bool allowed = allow != rule.end() && allow->is_boolean() && allow->get<bool>();
        if (allowed && acc.find('r') != std::string::npos && acc.find('w') != std::string::npos)
          all_devices = true;
        else if (!allowed)
          all_devices = false;
      }
  if (all_devices) out->privileged = true;
  // Namespace types the spec lists are the container's own (created, or joined by path: a pod's
  // containers join its sandbox's); a type it leaves out is the runtime's, the host's.
  static constexpr std::pair<const char*, const char*> kTypes[] = {
      {"network", "net"}, {"pid", "pid"},   {"ipc", "ipc"},      {"uts", "uts"},
      {"mount", "mount"}, {"user", "user"}, {"cgroup", "cgroup"}};
  auto ns = lx.find("namespaces");
  for (const auto& [spec_name, name] : kTypes) {
    bool listed = false;
    if (ns != lx.end() && ns->is_array())
      for (const auto& entry : *ns)
        if (entry.is_object() && entry.value("type", "") == spec_name) listed = true;
    if (!listed) out->host_namespaces.emplace_back(name);
  }
}

Result<PodMetadata> PodFromOciConfig(std::string_view config_json) {
  Result<Map> annotations = ParseOciAnnotations(config_json);
  if (!annotations) return Error{annotations.error()};
  PodMetadata pod = PodFromAnnotations(annotations.value());
  nlohmann::json spec = nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (spec.is_object()) ReadSpecPrivileges(spec, &pod);
  return pod;
}

}  // namespace vigil::proctree
