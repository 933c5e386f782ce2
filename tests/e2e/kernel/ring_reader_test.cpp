// One reader thread for every ring buffer (kernel::RingReader): records of the main buffer (open)
// and of the net buffer (tcp_state) reach the handler through the same single thread, each
// buffer's records are counted against it, and Stop delivers what the buffers still hold.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "bpf/events.h"
#include "kernel/ring_reader.h"
#include "runtime/event_stream.h"
#include "runtime/session.h"
#include "tests/e2e/kernel/trace_harness.h"

namespace vigil::e2e {
namespace {

struct Seen {
  std::mutex mu;
  std::set<std::thread::id> threads;
  std::array<uint64_t, VIGIL_EVT_MAX> per_type{};
  uint64_t total = 0;
  std::set<std::string> markers;  // opens under the test's folder
  uint64_t tcp_on_port = 0;       // tcp_state of the test's connections
};

TEST(KernelRingReader, BothBuffersThroughOneThreadCountedPerSourceDrainedOnStop) {
  VIGIL_REQUIRE_BPF();
  const std::string dir = "/tmp/vigil-e2e-ring-" + std::to_string(getpid());
  ASSERT_EQ(system(("rm -rf " + dir + " && mkdir -p " + dir).c_str()), 0);
  struct Cleanup {
    std::string dir;
    ~Cleanup() { (void)!system(("rm -rf " + dir).c_str()); }
  } cleanup{dir};

  LoopbackListener server(16);
  ASSERT_TRUE(server.ok()) << std::strerror(errno);
  const int port = server.port();

  runtime::TraceSpec spec;
  spec.event_types = {VIGIL_EVT_OPEN, VIGIL_EVT_TCP_STATE};
  runtime::SessionOptions options;
  options.process_tree = false;
  options.process_event_rate = 0;  // every marker open reaches the buffer
  auto opened_session = runtime::OpenTraceSession(spec, options);
  ASSERT_TRUE(opened_session) << opened_session.error();
  std::unique_ptr<runtime::Session> tracer = std::move(opened_session.value());
  Seen seen;
  auto started = tracer->Start([&](const kernel::Event& e) {
    std::lock_guard lock(seen.mu);
    seen.threads.insert(std::this_thread::get_id());
    ++seen.per_type[e.type];
    ++seen.total;
    if (e.type == VIGIL_EVT_OPEN && e.strings[0].rfind(dir + "/", 0) == 0)
      seen.markers.insert(e.strings[0]);
    if (e.type == VIGIL_EVT_TCP_STATE && (e.local.port == port || e.remote.port == port))
      ++seen.tcp_on_port;
  });
  ASSERT_TRUE(started) << started.error();

  // The net buffer: loopback connections to the listener.
  for (int i = 0; i < 5; ++i) {
    UniqueFd client = server.Connect();
    ASSERT_TRUE(client.valid()) << std::strerror(errno);
    UniqueFd accepted = server.Accept();
    ASSERT_TRUE(accepted.valid()) << std::strerror(errno);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(seen.mu);
      if (seen.tcp_on_port >= 10) break;  // at least each side's ESTABLISHED
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // The main buffer: opens, and Stop at once, with no time for the reader to poll them first:
  // Stop must deliver what the buffers hold.
  constexpr int kMarkers = 200;
  for (int i = 0; i < kMarkers; ++i)
    close(open((dir + "/marker-" + std::to_string(i)).c_str(), O_CREAT | O_WRONLY, 0600));
  tracer->Stop();

  const kernel::RingReader* reader = tracer->reader();
  ASSERT_NE(reader, nullptr);
  std::lock_guard lock(seen.mu);
  EXPECT_EQ(seen.markers.size(), static_cast<size_t>(kMarkers)) << "opens lost at Stop";
  EXPECT_GE(seen.tcp_on_port, 10u);
  // One thread delivered everything, and not the test's own.
  ASSERT_EQ(seen.threads.size(), 1u) << "events were delivered by several threads";
  EXPECT_NE(*seen.threads.begin(), std::this_thread::get_id());
  // Per source: main (0) held every record but tcp_state, net (1) the tcp_state ones only.
  EXPECT_EQ(reader->decode_errors(), 0u);
  const uint64_t tcp = seen.per_type[VIGIL_EVT_TCP_STATE];
  EXPECT_GT(tcp, 0u);
  EXPECT_GT(seen.per_type[VIGIL_EVT_OPEN], static_cast<uint64_t>(kMarkers - 1));
  EXPECT_EQ(reader->records_from(1), tcp);
  EXPECT_EQ(reader->records_from(0), seen.total - tcp);
  EXPECT_EQ(reader->records_from(2), 0u);  // no third source
  for (uint16_t t = 0; t < VIGIL_EVT_MAX; ++t)
    EXPECT_EQ(reader->events_of_type(t), seen.per_type[t]) << "type " << t;
  EXPECT_EQ(tracer->events_delivered(), seen.total);
}

}  // namespace
}  // namespace vigil::e2e
