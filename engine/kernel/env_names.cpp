#include "kernel/env_names.h"

#include <set>

#include "bpf/entity.h"
#include "bpf/events.h"

namespace vigil::kernel {

const std::vector<std::string>& DefaultEnvNames() {
  static const std::vector<std::string> kNames = {
      "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT",   "GLIBC_TUNABLES", "BASH_ENV",
      "ENV",        "PROMPT_COMMAND",  "PYTHONPATH", "PERL5LIB",       "NODE_OPTIONS",
      "HISTFILE",   "HTTP_PROXY",      "HTTPS_PROXY"};
  return kNames;
}

Status ValidateEnvNames(const std::vector<std::string>& names) {
  if (names.size() > VIGIL_ENV_NAMES)
    return Error{"at most " + std::to_string(VIGIL_ENV_NAMES) +
                 " environment variable names, not " + std::to_string(names.size())};
  std::set<std::string> seen;
  for (const std::string& name : names) {
    if (name.empty() || name.size() >= VIGIL_ENV_NAME_MAX)
      return Error{"environment variable name '" + name + "': 1 to " +
                   std::to_string(VIGIL_ENV_NAME_MAX - 1) + " bytes"};
    if (name.find('=') != std::string::npos || name.find('\0') != std::string::npos)
      return Error{"environment variable name '" + name + "' holds '=' or NUL"};
    if (!seen.insert(name).second)
      return Error{"environment variable name '" + name + "' given twice"};
  }
  return OkStatus();
}

uint64_t EnvNameHash(std::string_view name) {
  uint64_t h = VIGIL_ENV_HASH_SEED;
  for (char c : name) h = vigil_env_hash_step(h, static_cast<uint8_t>(c));
  return vigil_env_hash_finish(h, name.size());
}

}  // namespace vigil::kernel
