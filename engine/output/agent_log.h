// The agent's own log (not its alerts): text or JSON lines, on stderr, stdout or a file, and
// never on the stream of an alert output, where a consumer would take log lines for alerts or
// fail on them (docs/agent.md, "The agent's log").
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <vector>

#include "util/result.h"

namespace vigil::output {

// One JSON object a line: {"time":RFC 3339 UTC with ns,"level":"info","message":...,
// "logger":"vigil","pid":N}. Messages are escaped like alert strings (hostile names and paths
// stay on one line).
class JsonLogFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

// Refuses a log destination ("stderr", "stdout", "file:PATH") that shares a stream with an
// alert output: the same stdout, the same file (by path or, when both exist, by inode), or, for
// "stderr" while alerts go to stdout, a stderr that is the very file, pipe or socket stdout is
// (2>&1; a terminal or /dev/null is fine). `stdout_fd` and `stderr_fd` are for tests.
Status CheckLogDestination(const std::string& log_output, const std::vector<std::string>& outputs,
                           int stdout_fd = 1, int stderr_fd = 2);

// Makes the default logger write to `log_output` in `format` ("text" or "json"), after
// CheckLogDestination.
Status SetUpAgentLog(const std::string& format, const std::string& log_output,
                     const std::vector<std::string>& outputs);

}  // namespace vigil::output
