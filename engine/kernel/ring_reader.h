// Reads the sensors' ring buffers (main, net and the discard-only `scratch`) from one thread
// that waits on all of them through one epoll set, decodes each record into an Event and hands
// it to a sink. Counts records per source, events per type and records that fail their
// integrity check.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bpf/events.h"
#include "kernel/event.h"
#include "util/result.h"

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

class RingReader {
 public:
  // The longest a record waits in a ring buffer before it is read: the reader polls with this
  // timeout and reads every buffer after each poll (records may come without a wakeup).
  static constexpr int kPollTimeoutMs = 10;
  // Called from the one reader thread, one record at a time and never concurrently with itself,
  // whichever buffer the record came from. It does run concurrently with the owner's threads:
  // what it shares with them needs their lock. The Event is the reader's own, reused for the
  // next record: a sink that keeps it copies it.
  using Sink = std::function<void(const Event&)>;

  static Result<std::unique_ptr<RingReader>> Start(const std::vector<RingSource>& sources,
                                                   Sink sink);
  ~RingReader();
  RingReader(const RingReader&) = delete;
  RingReader& operator=(const RingReader&) = delete;

  // Stops the thread after draining what is in every buffer. Idempotent.
  void Stop();

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
  RingReader() = default;
  static int OnRecord(void* ctx, void* data, size_t size);
  static int OnDiscardOnlyRecord(void* ctx, void* data, size_t size);
  void Run();

  Sink sink_;
  // Every source's buffers in one libbpf ring_buffer (one epoll set); each buffer's callback
  // context is its Source.
  std::unique_ptr<ring_buffer, RingBufferFree> rb_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  Event event_;  // decoded into, record after record: its strings keep their storage
  std::array<std::atomic<uint64_t>, VIGIL_EVT_MAX> per_type_{};
  std::atomic<uint64_t> decode_errors_{0};
};

}  // namespace vigil::kernel
