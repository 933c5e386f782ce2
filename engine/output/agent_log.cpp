#include "output/agent_log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "output/alert.h"
#include "output/record_json.h"

namespace vigil::output {
namespace {

bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(msg.time.time_since_epoch()).count();
  const auto level = spdlog::level::to_string_view(msg.level);
  nlohmann::json j = {{"time", Rfc3339Nanos(static_cast<uint64_t>(ns))},
                      {"level", std::string(level.data(), level.size())},
                      {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())},
                      {"message", std::string(msg.payload.data(), msg.payload.size())},
                      {"pid", static_cast<int>(::getpid())}};
  const std::string line = DumpJsonLine(j) + "\n";
  dest.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

Status CheckLogDestination(const std::string& log_output, const std::vector<std::string>& outputs,
                           int stdout_fd, int stderr_fd) {
  const bool to_stdout = std::find(outputs.begin(), outputs.end(), "stdout") != outputs.end();
  if (log_output == "stdout") {
    if (to_stdout)
      return Error{
          "--log-output stdout and --output stdout: the log would mix with the alerts. Send the "
          "log to stderr or file:PATH, or the alerts to another output"};
    return OkStatus();
  }
  if (log_output == "stderr") {
    struct stat out {
    }, err{};
    if (to_stdout && ::fstat(stdout_fd, &out) == 0 && ::fstat(stderr_fd, &err) == 0 &&
        SameFile(out, err) && !S_ISCHR(out.st_mode))  // a terminal, /dev/null: harmless
      return Error{
          "alerts go to stdout, and stderr (the agent's log) is the same file or pipe (2>&1?): "
          "the log would mix with the alerts. Redirect stderr elsewhere, use --log-output "
          "file:PATH, or send the alerts to another output"};
    return OkStatus();
  }
  if (log_output.rfind("file:", 0) == 0 && log_output.size() > 5) {
    const std::string path = log_output.substr(5);
    struct stat log {};
    const bool log_exists = ::stat(path.c_str(), &log) == 0;
    for (const auto& spec : outputs) {
      if (spec.rfind("file:", 0) != 0) continue;
      const std::string alerts = spec.substr(5);
      struct stat a {};
      if (alerts == path || (log_exists && ::stat(alerts.c_str(), &a) == 0 && SameFile(a, log)))
        return Error{"--log-output " + log_output + " is also an alert output (--output " + spec +
                     "): the log would mix with the alerts. Give the log a file of its own"};
    }
    return OkStatus();
  }
  return Error{"--log-output '" + log_output + "': use stderr, stdout or file:PATH"};
}

Status SetUpAgentLog(const std::string& format, const std::string& log_output,
                     const std::vector<std::string>& outputs) {
  if (format != "text" && format != "json")
    return Error{"--log-format '" + format + "': use text or json"};
  if (auto ok = CheckLogDestination(log_output, outputs); !ok) return ok;
  spdlog::sink_ptr sink;
  try {
    if (log_output == "stderr")
      sink = format == "json" ? spdlog::sink_ptr(std::make_shared<spdlog::sinks::stderr_sink_mt>())
                              : std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    else if (log_output == "stdout")
      sink = format == "json" ? spdlog::sink_ptr(std::make_shared<spdlog::sinks::stdout_sink_mt>())
                              : std::make_shared<spdlog::sinks::stdout_color_sink_mt>();
    else
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_output.substr(5));
  } catch (const spdlog::spdlog_ex& e) {
    return Error{"--log-output " + log_output + ": " + e.what()};
  }
  auto logger = std::make_shared<spdlog::logger>("vigil", sink);
  if (format == "json") logger->set_formatter(std::make_unique<JsonLogFormatter>());
  logger->set_level(spdlog::default_logger()->level());
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  return OkStatus();
}

}  // namespace vigil::output
