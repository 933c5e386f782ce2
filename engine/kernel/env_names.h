// The environment variables an exec reports (`--env-names`): which names by default, which names
// are acceptable, and the hash the kernel selects them by (bpf/entity.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace vigil::kernel {

// Variables that change what a program loads or runs, or where its traffic and history go:
// LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, GLIBC_TUNABLES, BASH_ENV, ENV, PROMPT_COMMAND,
// PYTHONPATH, PERL5LIB, NODE_OPTIONS, HISTFILE, HTTP_PROXY, HTTPS_PROXY.
const std::vector<std::string>& DefaultEnvNames();

// At most VIGIL_ENV_NAMES names, each 1 to VIGIL_ENV_NAME_MAX - 1 bytes without '=' or NUL,
// none twice. The error names the first bad one.
Status ValidateEnvNames(const std::vector<std::string>& names);

// vigil_env_hash of a name, as the BPF program computes it over the bytes before '='.
uint64_t EnvNameHash(std::string_view name);

}  // namespace vigil::kernel
