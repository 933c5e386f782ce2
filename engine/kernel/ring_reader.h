// Reads the sensors' ring buffers, one thread per buffer, decodes each record into an Event and
// hands it to a sink. Counts events per type and records that fail their integrity check.
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
  // The longest a record waits in a ring buffer before it is read: the readers poll with this
  // timeout and read every buffer after each poll (records may come without a wakeup).
  static constexpr int kPollTimeoutMs = 10;
  // Called from the reader threads, possibly concurrently: must be thread-safe.
  using Sink = std::function<void(const Event&)>;

  static Result<std::unique_ptr<RingReader>> Start(const std::vector<RingSource>& sources,
                                                   Sink sink);
  ~RingReader();
  RingReader(const RingReader&) = delete;
  RingReader& operator=(const RingReader&) = delete;

  // Stops the threads after draining what is in the buffers. Idempotent.
  void Stop();

  uint64_t events_of_type(uint16_t type) const;
  uint64_t decode_errors() const { return decode_errors_.load(); }
  uint64_t records_from(size_t source) const;

 private:
  struct Buffer {
    RingReader* owner = nullptr;
    size_t index = 0;
    ring_buffer* rb = nullptr;
    bool has_discard_only = false;
    std::atomic<uint64_t> records{0};
  };
  RingReader() = default;
  static int OnRecord(void* ctx, void* data, size_t size);
  static int OnDiscardOnlyRecord(void* ctx, void* data, size_t size);
  void Run(Buffer* buffer);

  Sink sink_;
  std::vector<std::unique_ptr<Buffer>> buffers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::array<std::atomic<uint64_t>, VIGIL_EVT_MAX> per_type_{};
  std::atomic<uint64_t> decode_errors_{0};
};

}  // namespace vigil::kernel
