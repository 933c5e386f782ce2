// Finds a container's OCI runtime spec (config.json) through the state directories the runtimes
// keep, so pod metadata can be read from its annotations:
//   runc/crun:  <root>/<id>/state.json   ("bundle" at the top level, or config.labels
//                                          "bundle=<path>" as runc 1.1 writes it; runc also
//                                          copies the annotations into config.labels)
//   containerd: <root>/<namespace>/<id>/config.json   (the bundle directory itself)
//   cri-o:      <root>/<id>/userdata/config.json
// Every root is configurable; the defaults are the runtimes' own defaults.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proctree/oci_annotations.h"
#include "util/result.h"

namespace vigil::proctree {

struct RuntimeStateRoots {
  std::vector<std::string> runc = {"/run/runc", "/run/docker/runtime-runc/moby",
                                   "/run/containerd/runc/k8s.io", "/run/containerd/runc/default",
                                   "/run/crun"};
  std::vector<std::string> containerd = {"/run/containerd/io.containerd.runtime.v2.task"};
  std::vector<std::string> crio = {"/run/containers/storage/overlay-containers",
                                   "/var/lib/containers/storage/overlay-containers"};
};

// A container id safe to use as one path component (no '/', not "." or "..", bounded).
bool IsSafeContainerId(std::string_view id);

struct OciSpecLocation {
  std::string runtime;      // runc, containerd, cri-o (which root answered)
  std::string config_path;  // path of config.json ("" when only runc state was found)
  std::map<std::string, std::string> state_annotations;  // from runc's config.labels
};

// Where the spec of container `id` is. Errors: unsafe id, or no root knows the container.
Result<OciSpecLocation> LocateOciSpec(const RuntimeStateRoots& roots, std::string_view id);

// Whether a runc/crun state directory exists for `id` (standalone runc names the container's
// cgroup after its id with no prefix, so the path alone cannot say it is a container).
bool HasRuncState(const RuntimeStateRoots& roots, std::string_view id);

// Parses a runc/crun state file: the bundle path and the key=value labels.
struct RuncState {
  std::string bundle;
  std::map<std::string, std::string> labels;
};
Result<RuncState> ParseRuncState(std::string_view state_json);

// LocateOciSpec, then read and parse the pod metadata. runc state labels are used when the
// bundle's config.json cannot be read.
Result<PodMetadata> ReadPodMetadata(const RuntimeStateRoots& roots, std::string_view id,
                                    std::string* runtime);

}  // namespace vigil::proctree
