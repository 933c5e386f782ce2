// The agent's own log: JSON lines when asked, and never on the stream of an alert output.
#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "output/agent_log.h"

namespace vigil::output {
namespace {

TEST(AgentLog, RefusesTheStreamOfAnAlertOutput) {
  EXPECT_FALSE(CheckLogDestination("stdout", {"stdout"}));
  EXPECT_TRUE(CheckLogDestination("stdout", {"file:/tmp/a"}));
  EXPECT_FALSE(CheckLogDestination("file:/tmp/x.jsonl", {"syslog", "file:/tmp/x.jsonl"}));
  EXPECT_FALSE(CheckLogDestination("journal", {"stdout"}));
  // 2>&1: stderr is the pipe stdout is.
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  auto shared = CheckLogDestination("stderr", {"stdout"}, p[1], p[1]);
  ASSERT_FALSE(shared);
  EXPECT_NE(shared.error().find("2>&1"), std::string::npos);
  int q[2];
  ASSERT_EQ(::pipe(q), 0);
  EXPECT_TRUE(CheckLogDestination("stderr", {"stdout"}, p[1], q[1]));       // two pipes
  EXPECT_TRUE(CheckLogDestination("stderr", {"file:/tmp/a"}, p[1], p[1]));  // no stdout alerts
  for (int fd : {p[0], p[1], q[0], q[1]}) ::close(fd);
  // The same file under another name.
  char tmpl[] = "/tmp/vigil-log-test-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  { std::ofstream(dir + "/alerts.jsonl") << ""; }
  std::filesystem::create_symlink(dir + "/alerts.jsonl", dir + "/log");
  EXPECT_FALSE(CheckLogDestination("file:" + dir + "/log", {"file:" + dir + "/alerts.jsonl"}));
  EXPECT_TRUE(CheckLogDestination("file:" + dir + "/other.log", {"file:" + dir + "/alerts.jsonl"}));
  std::filesystem::remove_all(dir);
}

TEST(AgentLog, JsonLinesEscapeTheMessage) {
  JsonLogFormatter f;
  spdlog::details::log_msg msg("vigil", spdlog::level::warn, "output \"x\"\n\x1b[31m failed");
  spdlog::memory_buf_t buf;
  f.format(msg, buf);
  std::string line(buf.data(), buf.size());
  ASSERT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["message"], "output \"x\"\n\x1b[31m failed");
  EXPECT_EQ(j["logger"], "vigil");
  EXPECT_EQ(j["pid"], ::getpid());
  EXPECT_EQ(j["time"].get<std::string>().back(), 'Z');
}

}  // namespace
}  // namespace vigil::output
