// Reads the sensors' ring buffers (main, net and the discard-only `scratch`) from one thread
// that waits on all of them through one epoll set, decodes each record into an Event and hands
// it to a sink. Counts records per source, events per type and records that fail their
// integrity check. Given the programs' `reader_asleep` flag, a quiet reader sleeps until the
// kernel wakes it instead of polling (PollOptions).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <linux/types.h>

#include "bpf/events.h"
#include "kernel/event.h"
#include "util/result.h"
#include "util/unique_fd.h"

struct ring_buffer;

namespace vigil::kernel {

struct RingSource {
  std::string name;  // "main", "net"
  int map_fd = -1;
  // Ring buffers whose reservations the programs always discard (`scratch`): read with this one,
  // which moves their consumer position on. A ring buffer's space is only freed when its
  // consumer passes it, discarded or not; unread, `scratch` would be full after a few uses.
  std::vector<int> discard_only_fds;
};

// The default of the longest a record waits in a ring buffer before it is read while records
// flow (PollOptions::poll_timeout_ms; `vigil run --read-interval-ms`). Each poll costs the reader
// a wakeup and a batch handled with cold caches: in an exec storm on a 2-vCPU VM, 10 ms cost
// 5.1-6.4 µs of agent CPU per event and 30 ms 3.0-3.6 (docs/agent.md).
inline constexpr int kDefaultPollTimeoutMs = 30;

// How the reader waits. While records flow it polls with `poll_timeout_ms` and reads every
// buffer after each poll (records may come without a wakeup: bpf/vigil.bpf.c, deliver_flags).
// Idle mode: after `quiet_ms` without a record (rounded up to whole polls), the reader stores 1
// to `*asleep_flag` (the programs' `reader_asleep`, in the skeleton's mmapped .bss), makes sure
// that no ring holds data, and then waits up to `idle_timeout_ms` instead. The programs clear
// the flag and force a wakeup after the first main-ring record they submit while it is set
// (bpf/vigil.bpf.c, wake_reader). Without a flag the reader polls with `poll_timeout_ms` always.
struct PollOptions {
  int poll_timeout_ms = kDefaultPollTimeoutMs;
  __u64* asleep_flag = nullptr;
  int quiet_ms = 50;
  int idle_timeout_ms = 200;
};

// What idle mode did (RingReader::idle_stats).
struct IdleStats {
  uint64_t polls = 0;     // waits that returned (woken or timed out)
  uint64_t timeouts = 0;  // of which timed out
  uint64_t entered = 0;   // times the reader went to sleep with the long timeout
  uint64_t woken = 0;     // left by a wakeup that brought records
  // Left by the long timeout, which found records: they came without a wakeup and waited up to
  // idle_timeout_ms. Expected near 0 (a full main ring when the wakeup was due, or a record of
  // a ring without the flag that the kernel's adaptive wakeup did not announce).
  uint64_t late = 0;
};

class RingReader {
 public:
  // The idle reader's timeout (PollOptions::idle_timeout_ms), a bound for a record whose wakeup
  // was lost (IdleStats::late).
  static constexpr int kIdlePollTimeoutMs = 200;
  // Called from the one reader thread, one record at a time and never concurrently with itself,
  // whichever buffer the record came from. It does run concurrently with the owner's threads:
  // what it shares with them needs their lock. The Event is the reader's own, reused for the
  // next record: a sink that keeps it copies it.
  using Sink = std::function<void(const Event&)>;

  static Result<std::unique_ptr<RingReader>> Start(const std::vector<RingSource>& sources,
                                                   Sink sink, PollOptions poll = {});
  ~RingReader();
  RingReader(const RingReader&) = delete;
  RingReader& operator=(const RingReader&) = delete;

  // Stops the thread after draining what is in every buffer (it is woken at once, idle or
  // not). Idempotent.
  void Stop();
  IdleStats idle_stats() const;
  bool idle() const { return idle_.load(std::memory_order_relaxed); }

  uint64_t events_of_type(uint16_t type) const;
  uint64_t decode_errors() const { return decode_errors_.load(); }
  // Records read from sources[source] (its discard-only buffers' unexpected records are counted
  // as decode errors, not here).
  uint64_t records_from(size_t source) const;

 private:
  struct Source {
    RingReader* owner = nullptr;
    std::atomic<uint64_t> records{0};
  };
  struct RingBufferFree {
    void operator()(ring_buffer* rb) const;
  };
  // A ring's consumer and producer pages, mapped read-only: whether it holds unread data.
  class RingPositions {
   public:
    static Result<RingPositions> Map(int map_fd);
    RingPositions(RingPositions&& other) noexcept;
    RingPositions& operator=(RingPositions&&) = delete;
    RingPositions(const RingPositions&) = delete;
    ~RingPositions();
    bool HoldsData() const;

   private:
    RingPositions(void* base, size_t page) : base_(base), page_(page) {}
    void* base_ = nullptr;
    size_t page_ = 0;
  };
  using Fd = UniqueFd;
  RingReader() = default;
  static int OnRecord(void* ctx, void* data, size_t size);
  static int OnDiscardOnlyRecord(void* ctx, void* data, size_t size);
  void Run();
  // Sets the flag, then checks every ring (the ordering argument is in the .cpp); false, with the
  // flag cleared again, if one holds data.
  bool EnterIdle();
  void LeaveIdle();

  Sink sink_;
  // Every source's buffers in one libbpf ring_buffer (one epoll set); each buffer's callback
  // context is its Source.
  std::unique_ptr<ring_buffer, RingBufferFree> rb_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::vector<RingPositions> positions_;  // every ring of rb_ (idle mode only)
  PollOptions options_;
  Fd epoll_;       // rb_'s epoll fd and stop_event_
  Fd stop_event_;  // eventfd written by Stop
  std::atomic<bool> idle_{false};
  std::atomic<uint64_t> polls_{0}, timeouts_{0}, idle_entered_{0}, idle_woken_{0}, idle_late_{0};
  std::thread thread_;
  std::atomic<bool> stop_{false};
  Event event_;  // decoded into, record after record: its strings keep their storage
  std::array<std::atomic<uint64_t>, VIGIL_EVT_MAX> per_type_{};
  std::atomic<uint64_t> decode_errors_{0};
};

}  // namespace vigil::kernel
