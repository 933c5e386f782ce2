// TCP state changes come from sock:inet_sock_set_state (softirq context) through their own ring
// buffer, intact, while a syscall-heavy load fills the main buffer.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "trace_harness.h"

namespace vigil::e2e {
namespace {

using nlohmann::json;

TEST(KernelNetwork, TcpStateOnItsOwnBufferUnderSyscallLoad) {
  VIGIL_REQUIRE_BPF();
  // No event budget: the load loop's 20,000 opens must all reach the main buffer (at full speed
  // they exceed the default 20,000 per second and would be throttled).
  TraceProcess trace({"--events", "tcp_state,open", "--process-event-rate", "0"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();

  LoopbackListener server(64);
  ASSERT_TRUE(server.ok()) << std::strerror(errno);
  const int port = server.port();

  // Syscall load on the main buffer while the connections are made.
  ChildGuard load(Spawn([] {
    for (int i = 0; i < 20000; ++i) close(open("/etc/hostname", O_RDONLY));
    return 0;
  }));
  constexpr int kConnections = 20;
  for (int i = 0; i < kConnections; ++i) {
    UniqueFd client = server.Connect();
    ASSERT_TRUE(client.valid()) << std::strerror(errno);
    UniqueFd accepted = server.Accept();
    ASSERT_TRUE(accepted.valid()) << std::strerror(errno);
  }
  ASSERT_EQ(load.Wait(), 0);
  // The last connection's close shows up as a transition to CLOSE on the listener's port.
  trace.WaitFor([&](const json& e) {
    return e["evt"]["type"] == "tcp_state" && e["kernel"]["local"]["port"] == port &&
           e["kernel"]["newstate"] == "CLOSE";
  });
  trace.Stop();

  std::set<int> client_ports_established;  // socket addresses get reused, ports do not here
  size_t tcp = 0;
  for (const auto& r : trace.events()) {
    const json& e = r.event;
    if (e["evt"]["type"] != "tcp_state") continue;
    ++tcp;
    EXPECT_EQ(e["kernel"]["local"]["family"], "AF_INET");
    if (e["kernel"]["remote"]["port"] == port && e["kernel"]["oldstate"] == "SYN_SENT" &&
        e["kernel"]["newstate"] == "ESTABLISHED") {
      EXPECT_EQ(e["kernel"]["remote"]["address"], "127.0.0.1");
      client_ports_established.insert(e["kernel"]["local"]["port"].get<int>());
    }
  }
  EXPECT_EQ(client_ports_established.size(), static_cast<size_t>(kConnections));
  auto stats = trace.stats();
  EXPECT_EQ(stats["buffers_net"], tcp) << "tcp_state events must come from the net buffer only";
  EXPECT_GE(stats["events_open"], 20000u);
  EXPECT_EQ(stats["decode_errors"], 0u);
  EXPECT_EQ(stats["drops_net"], 0u);
  EXPECT_EQ(trace.malformed_lines(), 0u);
}

}  // namespace
}  // namespace vigil::e2e
