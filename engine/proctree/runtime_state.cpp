#include "proctree/runtime_state.h"

#include <dirent.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "proctree/procfs_read.h"

namespace vigil::proctree {
namespace {

constexpr size_t kMaxSpecBytes = 4 * 1024 * 1024;

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

std::vector<std::string> Subdirectories(const std::string& path) {
  std::vector<std::string> out;
  std::unique_ptr<DIR, DirCloser> dir(::opendir(path.c_str()));
  if (!dir) return out;
  while (dirent* entry = ::readdir(dir.get())) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (entry->d_type == DT_DIR || entry->d_type == DT_UNKNOWN) out.emplace_back(name);
  }
  return out;
}

bool Exists(const std::string& path) {
  FileText probe = ReadSmallFile(path, 1);
  return probe.ok();
}

}  // namespace

bool IsSafeContainerId(std::string_view id) {
  if (id.empty() || id.size() > 128 || id == "." || id == "..") return false;
  for (char c : id) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<RuncState> ParseRuncState(std::string_view state_json) {
  nlohmann::json doc = nlohmann::json::parse(state_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Error{"state.json is not a JSON object"};
  RuncState state;
  if (auto it = doc.find("bundle"); it != doc.end() && it->is_string()) {
    state.bundle = it->get<std::string>();
  }
  auto config = doc.find("config");
  if (config != doc.end() && config->is_object()) {
    auto labels = config->find("labels");
    if (labels != config->end() && labels->is_array()) {
      for (const auto& label : *labels) {
        if (!label.is_string()) continue;
        const std::string& text = label.get_ref<const std::string&>();
        size_t eq = text.find('=');
        if (eq == std::string::npos) continue;
        state.labels.emplace(text.substr(0, eq), text.substr(eq + 1));
      }
    }
  }
  if (state.bundle.empty()) {
    auto it = state.labels.find("bundle");
    if (it != state.labels.end()) state.bundle = it->second;
  }
  return state;
}

bool HasRuncState(const RuntimeStateRoots& roots, std::string_view id) {
  if (!IsSafeContainerId(id)) return false;
  for (const std::string& root : roots.runc) {
    std::string dir = root + "/" + std::string(id);
    if (Exists(dir + "/state.json") || Exists(dir + "/status")) return true;
  }
  return false;
}

Result<OciSpecLocation> LocateOciSpec(const RuntimeStateRoots& roots, std::string_view id) {
  if (!IsSafeContainerId(id)) return Error{"container id is not a safe path component"};
  const std::string name(id);
  for (const std::string& root : roots.containerd) {
    for (const std::string& ns : Subdirectories(root)) {
      std::string path = root + "/" + ns + "/" + name + "/config.json";
      if (Exists(path)) return OciSpecLocation{"containerd", path, {}};
    }
  }
  for (const std::string& root : roots.crio) {
    std::string path = root + "/" + name + "/userdata/config.json";
    if (Exists(path)) return OciSpecLocation{"cri-o", path, {}};
  }
  for (const std::string& root : roots.runc) {
    for (const char* file : {"/state.json", "/status"}) {
      FileText text = ReadSmallFile(root + "/" + name + file, kMaxSpecBytes);
      if (!text.ok()) continue;
      Result<RuncState> state = ParseRuncState(text.text);
      if (!state) continue;
      OciSpecLocation location;
      location.runtime = root.find("crun") != std::string::npos ? "crun" : "runc";
      if (!state->bundle.empty()) location.config_path = state->bundle + "/config.json";
      location.state_annotations = std::move(state->labels);
      return location;
    }
  }
  return Error{"no runtime state found for container " + name};
}

Result<PodMetadata> ReadPodMetadata(const RuntimeStateRoots& roots, std::string_view id,
                                    std::string* runtime) {
  Result<OciSpecLocation> location = LocateOciSpec(roots, id);
  if (!location) return Error{location.error()};
  if (runtime) *runtime = location->runtime;
  if (!location->config_path.empty()) {
    FileText config = ReadSmallFile(location->config_path, kMaxSpecBytes);
    if (config.ok()) return PodFromOciConfig(config.text);
    if (location->state_annotations.empty()) {
      return Error{"cannot read " + location->config_path};
    }
  }
  return PodFromAnnotations(location->state_annotations);
}

}  // namespace vigil::proctree
