// libFuzzer target: the container runtimes' state files. The input is read as an OCI bundle's
// config.json (annotations, then the pod metadata made from them) and as runc's state.json;
// both are written by the runtime but hold names and labels chosen by whoever starts the
// container. Also checks the container-id gate used before any path is built from an id.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proctree/oci_annotations.h"
#include "proctree/runtime_state.h"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto annotations = proctree::ParseOciAnnotations(text))
    (void)proctree::PodFromAnnotations(*annotations);
  (void)proctree::PodFromOciConfig(text);
  if (auto state = proctree::ParseRuncState(text))
    (void)proctree::PodFromAnnotations(state->labels);
  (void)proctree::IsSafeContainerId(text);
  return 0;
}
