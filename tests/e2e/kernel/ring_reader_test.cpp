// One reader thread for every ring buffer (kernel::RingReader): records of the main buffer (open)
// and of the net buffer (tcp_state) reach the handler through the same single thread, each
// buffer's records are counted against it, and Stop delivers what the buffers still hold. An
// idle reader sleeps until the kernel wakes it for the next record.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "bpf/events.h"
#include "kernel/ring_reader.h"
#include "runtime/event_stream.h"
#include "runtime/session.h"
#include "runtime/trace_spec.h"
#include "tests/e2e/kernel/trace_harness.h"
#include "util/unique_fd.h"

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

// With an idle timeout of 5 s, only the programs' forced wakeup (wake_reader in bpf/vigil.bpf.c)
// can deliver a record within a second of an idle reader, and an idle reader barely polls.
TEST(KernelRingReader, IdleReaderSleepsUntilTheKernelWakesIt) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  // Only this process's opens: nothing else on the host wakes the reader.
  auto spec = runtime::TraceSpecFromFlags("open", fmt::format("pid in [{}]", getpid()));
  ASSERT_TRUE(spec) << spec.error();
  runtime::SessionOptions options;
  options.process_tree = false;
  options.process_event_rate = 0;
  options.reader_idle_timeout_ms = 5000;
  auto opened_session = runtime::OpenTraceSession(spec.value(), options);
  ASSERT_TRUE(opened_session) << opened_session.error();
  std::unique_ptr<runtime::Session> tracer = std::move(opened_session.value());
  std::mutex mu;
  std::condition_variable cv;
  std::set<std::string> markers;
  auto started = tracer->Start([&](const kernel::Event& e) {
    if (e.type != VIGIL_EVT_OPEN || e.strings[0].rfind(dir.path() + "/", 0) != 0) return;
    std::lock_guard lock(mu);
    markers.insert(e.strings[0]);
    cv.notify_all();
  });
  ASSERT_TRUE(started) << started.error();
  const kernel::RingReader* reader = tracer->reader();
  ASSERT_NE(reader, nullptr);

  // Waits for the reader to go idle once more than `entered` times (the sink runs before the
  // reader leaves idle mode: idle() alone may still be the previous round's).
  auto wait_idle = [&](uint64_t entered) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    auto asleep = [&] { return reader->idle_stats().entered > entered && reader->idle(); };
    while (!asleep() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return asleep();
  };
  ASSERT_TRUE(wait_idle(0)) << "the reader never went idle";
  // No timer wakes an idle reader (200 in 2 s at the short timeout). It may still be woken: the
  // host's execs discard their scratch reservations (task_exe_hash in bpf/vigil.bpf.c) with the
  // kernel's adaptive wakeup, whatever the trace's scope.
  const kernel::IdleStats before = reader->idle_stats();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const kernel::IdleStats after = reader->idle_stats();
  std::printf("idle for 2 s: %llu polls, %llu timeouts\n",
              static_cast<unsigned long long>(after.polls - before.polls),
              static_cast<unsigned long long>(after.timeouts - before.timeouts));
  EXPECT_LT(after.timeouts - before.timeouts, 6u)
      << "an idle reader polls on a timer; " << after.polls - before.polls << " polls in 2 s";
  EXPECT_TRUE(reader->idle());

  constexpr int kRounds = 3;
  uint64_t entered = 0;
  for (int round = 0; round < kRounds; ++round) {
    if (round > 0) {
      ASSERT_TRUE(wait_idle(entered)) << "round " << round;
    }
    entered = reader->idle_stats().entered;  // asleep: this round's entry
    const std::string marker = dir / ("wake-" + std::to_string(round));
    const auto t0 = std::chrono::steady_clock::now();
    close(open(marker.c_str(), O_CREAT | O_WRONLY, 0600));
    std::unique_lock lock(mu);
    const bool seen =
        cv.wait_for(lock, std::chrono::seconds(1), [&] { return markers.count(marker) != 0; });
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - t0);
    EXPECT_TRUE(seen) << "round " << round << ": the idle reader was not woken (" << waited.count()
                      << " ms)";
  }
  const kernel::IdleStats stats = reader->idle_stats();
  // Each marker came within 1 s to a reader asleep with a 5 s timeout, so a wakeup brought it: the
  // program's forced one, or (on a host running execs) a scratch discard's adaptive one that
  // happened to come first. So `woken` is printed, not required per round: under an exec loop
  // the reader sometimes left idle mode on another record just before a marker came.
  std::printf("idle entered %llu times, woken %llu times\n",
              static_cast<unsigned long long>(stats.entered),
              static_cast<unsigned long long>(stats.woken));
  EXPECT_GE(stats.entered, static_cast<uint64_t>(kRounds));
  EXPECT_EQ(stats.late, 0u);

  // Stop wakes an idle reader at once, not after its 5 s timeout.
  ASSERT_TRUE(wait_idle(entered));
  const auto t0 = std::chrono::steady_clock::now();
  tracer->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

// While records may flow (no idle flag), the reader polls with PollOptions::poll_timeout_ms
// (`vigil run --read-interval-ms`): over one second of an empty ring buffer, about 10 polls at
// 100 ms and about 100 at 10 ms. The bounds leave room for a loaded machine, which can only delay
// a timer; they cannot both hold if the option did not reach the reader.
TEST(KernelRingReader, PollsWithTheReadInterval) {
  VIGIL_REQUIRE_BPF();
  UniqueFd ring(bpf_map_create(BPF_MAP_TYPE_RINGBUF, "vigil_e2e_poll", 0, 0, 4096, nullptr));
  ASSERT_GE(ring.get(), 0) << std::strerror(errno);
  auto timeouts_in_a_second = [&](int interval_ms) -> uint64_t {
    auto reader = kernel::RingReader::Start({{"main", ring.get(), {}}}, [](const kernel::Event&) {},
                                            {.poll_timeout_ms = interval_ms});
    EXPECT_TRUE(reader) << reader.error();
    if (!reader) return 0;
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const uint64_t timeouts = reader.value()->idle_stats().timeouts;
    reader.value()->Stop();
    EXPECT_EQ(reader.value()->idle_stats().entered, 0u);  // no flag: never idle
    return timeouts;
  };
  const uint64_t slow = timeouts_in_a_second(100);
  const uint64_t fast = timeouts_in_a_second(10);
  std::printf("timeouts in 1 s: %llu at 100 ms, %llu at 10 ms\n",
              static_cast<unsigned long long>(slow), static_cast<unsigned long long>(fast));
  EXPECT_GE(slow, 3u);
  EXPECT_LE(slow, 11u);
  EXPECT_GE(fast, 30u);
  EXPECT_LE(fast, 101u);
}

}  // namespace
}  // namespace vigil::e2e
