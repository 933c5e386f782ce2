#include "proctree/container_id.h"

#include <array>
#include <vector>

namespace vigil::proctree {
namespace {

bool IsHex(std::string_view s) {
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return !s.empty();
}

bool IsHexId(std::string_view s) {
  return s.size() == 64 && IsHex(s);
}

// Ids runc and crun accept for standalone containers: letters, digits, '_', '-', '.'.
bool IsRuntimeName(std::string_view s) {
  if (s.empty() || s.size() > 128 || s == "." || s == "..") return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string_view StripSuffix(std::string_view s, std::string_view suffix) {
  if (s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix) {
    return s.substr(0, s.size() - suffix.size());
  }
  return s;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

enum class Verdict { kNone, kContainer, kMonitor };

struct Prefix {
  std::string_view prefix;
  std::string_view runtime;
  bool hex_id;  // the id after the prefix must be 64 hex digits
};

// Longer prefixes of one family first: "crio-conmon-" must be seen before "crio-".
constexpr std::array<std::string_view, 2> kMonitorPrefixes = {"crio-conmon-", "libpod-conmon-"};
constexpr std::array<Prefix, 8> kPrefixes = {{
    {"docker-", "docker", true},
    {"cri-containerd-", "containerd", true},
    {"containerd-", "containerd", true},
    {"crio-", "cri-o", true},
    {"libpod-", "podman", true},
    {"libcrun-", "crun", false},
    {"crun-", "crun", false},
    {"runc-", "runc", false},
}};

// Looks at one path component; `parent` is the component above it (for bare ids).
Verdict ReadComponent(std::string_view part, std::string_view parent, ContainerIdentity* out) {
  std::string_view name = StripSuffix(part, ".scope");
  // containerd with the systemd driver on some hosts: "<slice>:cri-containerd:<id>".
  if (size_t colon = name.rfind(':'); colon != std::string_view::npos) {
    std::string_view id = name.substr(colon + 1);
    std::string_view head = name.substr(0, colon);
    size_t colon2 = head.rfind(':');
    std::string_view kind = colon2 == std::string_view::npos ? head : head.substr(colon2 + 1);
    if (IsHexId(id)) {
      out->id = std::string(id);
      out->runtime = kind == "cri-containerd" ? "containerd" : kind == "crio" ? "cri-o" : "";
      return Verdict::kContainer;
    }
    return Verdict::kNone;
  }
  for (std::string_view monitor : kMonitorPrefixes) {
    if (StartsWith(name, monitor)) return Verdict::kMonitor;
  }
  for (const Prefix& p : kPrefixes) {
    if (!StartsWith(name, p.prefix)) continue;
    std::string_view id = name.substr(p.prefix.size());
    if (p.hex_id ? IsHexId(id) : IsRuntimeName(id)) {
      out->id = std::string(id);
      out->runtime = std::string(p.runtime);
      return Verdict::kContainer;
    }
  }
  if (IsHexId(name)) {
    out->id = std::string(name);
    if (parent == "docker") {
      out->runtime = "docker";
    } else if (parent == "libpod_parent" || StartsWith(parent, "libpod-")) {
      out->runtime = "podman";
    }
    return Verdict::kContainer;
  }
  return Verdict::kNone;
}

// "pod<uid>" (cgroupfs) or "[<prefix>-]kubepods-<qos>-pod<uid_with_underscores>.slice" (systemd).
bool ReadPod(std::string_view name, ContainerIdentity* out) {
  size_t at = name.rfind("pod");
  if (at == std::string_view::npos) return false;
  if (at != 0 && !(name.find("kubepods") != std::string_view::npos && name[at - 1] == '-')) {
    return false;
  }
  std::string_view uid = name.substr(at + 3);
  if (uid.size() != 36 && uid.size() != 32) return false;
  std::string text;
  int hex_digits = 0;
  for (char c : uid) {
    if (c == '_' || c == '-') {
      text.push_back('-');
    } else if (IsHex(std::string_view(&c, 1))) {
      text.push_back(c);
      ++hex_digits;
    } else {
      return false;
    }
  }
  if (hex_digits != 32) return false;
  out->pod_uid = std::move(text);
  return true;
}

// The kubepods part of one component: "kubepods-burstable-pod<uid>.slice:cri-containerd:<id>"
// carries the pod before the first ':'.
std::string_view KubeName(std::string_view part) {
  size_t colon = part.find(':');
  if (colon != std::string_view::npos) part = part.substr(0, colon);
  return StripSuffix(part, ".slice");
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

ContainerIdentity ContainerFromCgroupPath(std::string_view path) {
  ContainerIdentity result;
  std::vector<std::string_view> parts = SplitPath(path);

  // Pod and QoS class come from the kubepods part of the path, wherever it sits (the kubelet
  // may run under a runtime's own slice).
  bool kubepods = false;
  for (std::string_view part : parts) {
    std::string_view name = KubeName(part);
    if (name.find("kubepods") != std::string_view::npos) kubepods = true;
    if (!kubepods) continue;
    // "burstable" (cgroupfs), "kubepods-burstable.slice" or "kubepods-burstable-pod<uid>".
    auto has_class = [&](std::string_view qos) {
      std::string dashed = "kubepods-" + std::string(qos);
      return name == qos || EndsWith(name, dashed) ||
             name.find(dashed + "-pod") != std::string_view::npos;
    };
    if (has_class("burstable")) result.qos = "burstable";
    if (has_class("besteffort")) result.qos = "besteffort";
    if (result.pod_uid.empty()) ReadPod(name, &result);
  }
  if (!result.pod_uid.empty() && result.qos.empty()) result.qos = "guaranteed";
  if (result.pod_uid.empty()) result.qos.clear();

  for (size_t i = parts.size(); i-- > 0;) {
    ContainerIdentity found;
    std::string_view parent = i > 0 ? parts[i - 1] : std::string_view();
    Verdict verdict = ReadComponent(parts[i], parent, &found);
    if (verdict == Verdict::kMonitor) break;
    if (verdict == Verdict::kContainer) {
      result.id = std::move(found.id);
      result.runtime = std::move(found.runtime);
      break;
    }
  }
  return result;
}

namespace {

struct CgroupLine {
  std::string_view hierarchy, controllers, path;
};

bool ParseCgroupLine(std::string_view line, CgroupLine* out) {
  size_t first = line.find(':');
  if (first == std::string_view::npos) return false;
  size_t second = line.find(':', first + 1);
  if (second == std::string_view::npos) return false;
  out->hierarchy = line.substr(0, first);
  out->controllers = line.substr(first + 1, second - first - 1);
  out->path = line.substr(second + 1);  // paths may themselves hold ':'
  return !out->path.empty() && out->path[0] == '/';
}

template <class F>
void ForEachLine(std::string_view text, F&& f) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    CgroupLine line;
    if (ParseCgroupLine(text.substr(start, end - start), &line)) {
      if (!f(line)) return;
    }
    start = end + 1;
  }
}

}  // namespace

std::string_view PrimaryCgroupPath(std::string_view text) {
  std::string_view unified, systemd, first;
  ForEachLine(text, [&](const CgroupLine& line) {
    if (first.empty()) first = line.path;
    if (line.hierarchy == "0" && line.controllers.empty() && unified.empty()) unified = line.path;
    if (line.controllers == "name=systemd" && systemd.empty()) systemd = line.path;
    return true;
  });
  if (!unified.empty()) return unified;
  if (!systemd.empty()) return systemd;
  return first;
}

ContainerIdentity ContainerFromProcCgroup(std::string_view text) {
  // The unified line wins when it names a container or pod; older runtimes on hybrid hosts
  // leave it at "/" and only the v1 hierarchies say where the process lives.
  ContainerIdentity unified, legacy;
  ForEachLine(text, [&](const CgroupLine& line) {
    bool is_unified = line.hierarchy == "0" && line.controllers.empty();
    ContainerIdentity found = ContainerFromCgroupPath(line.path);
    bool named = found.in_container() || !found.pod_uid.empty();
    if (is_unified) {
      if (named) unified = std::move(found);
    } else if (found.in_container() && !legacy.in_container()) {
      legacy = std::move(found);
    } else if (named && legacy.pod_uid.empty() && !legacy.in_container()) {
      legacy = std::move(found);
    }
    return true;
  });
  if (unified.in_container() || (!unified.pod_uid.empty() && !legacy.in_container())) {
    return unified;
  }
  return legacy;
}

}  // namespace vigil::proctree
