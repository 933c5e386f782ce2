// What `vigil trace` and `vigil record` share: their common flags and how they start.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/event_stream.h"

namespace vigil::cli {

struct SensorFlags {
  std::string events;
  std::string scope;
  uint32_t proc_info_entries = 0;
  size_t max_args_bytes = proctree::TreeLimits{}.max_args_bytes;
  uint32_t process_event_rate = runtime::SessionOptions{}.process_event_rate;
  std::vector<std::string> env_names = runtime::SessionOptions{}.env_names;
  bool raw_syscalls = false;
};

// Adds --events, --scope, --proc-info-size, --max-args-bytes, --env-names,
// --process-event-rate and --raw-syscalls to `cmd`.
void AddSensorFlags(CLI::App* cmd, SensorFlags& flags);

// The start of both commands: logs to stderr as "vigil NAME: ...", refuses to run without root
// (saying why: `root_reason`), turns the flags into `options` and blocks SIGINT, SIGTERM and
// SIGUSR1 into `signals`, before any thread starts. Returns the exit code to stop with, or
// nullopt to go on.
std::optional<int> StartSensorCommand(const char* name, const char* root_reason,
                                      const SensorFlags& flags,
                                      runtime::EventStreamOptions* options, sigset_t* signals);

}  // namespace vigil::cli
