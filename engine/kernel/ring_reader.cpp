#include "kernel/ring_reader.h"

#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "kernel/decode.h"

namespace vigil::kernel {

Result<std::unique_ptr<RingReader>> RingReader::Start(const std::vector<RingSource>& sources,
                                                      Sink sink) {
  std::unique_ptr<RingReader> self(new RingReader());
  self->sink_ = std::move(sink);
  for (size_t i = 0; i < sources.size(); ++i) {
    auto buffer = std::make_unique<Buffer>();
    buffer->owner = self.get();
    buffer->index = i;
    buffer->rb = ring_buffer__new(sources[i].map_fd, &RingReader::OnRecord, buffer.get(), nullptr);
    if (!buffer->rb)
      return Error{"cannot open ring buffer " + sources[i].name + ": " + std::strerror(errno)};
    buffer->has_discard_only = !sources[i].discard_only_fds.empty();
    for (int fd : sources[i].discard_only_fds)
      if (ring_buffer__add(buffer->rb, fd, &RingReader::OnDiscardOnlyRecord, buffer.get()) != 0) {
        ring_buffer__free(buffer->rb);
        return Error{"cannot open the scratch ring buffer with " + sources[i].name + ": " +
                     std::strerror(errno)};
      }
    self->buffers_.push_back(std::move(buffer));
  }
  for (auto& buffer : self->buffers_)
    self->threads_.emplace_back([reader = self.get(), b = buffer.get()] { reader->Run(b); });
  return self;
}

RingReader::~RingReader() {
  Stop();
  for (auto& buffer : buffers_)
    if (buffer->rb) ring_buffer__free(buffer->rb);
}

void RingReader::Stop() {
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

int RingReader::OnRecord(void* ctx, void* data, size_t size) {
  auto* buffer = static_cast<Buffer*>(ctx);
  RingReader* self = buffer->owner;
  buffer->records.fetch_add(1, std::memory_order_relaxed);
  thread_local Event event;
  if (auto decoded = DecodeRecord(data, size, &event); !decoded) {
    if (self->decode_errors_.fetch_add(1) < 10)
      spdlog::warn("bad kernel record: {}", decoded.error());
    return 0;
  }
  self->per_type_[event.type].fetch_add(1, std::memory_order_relaxed);
  if (self->sink_) self->sink_(event);
  return 0;
}

// Every record of a discard-only ring is discarded by its producer, and libbpf skips those: a
// record that reaches this callback was submitted by mistake, so it counts as a decode error.
int RingReader::OnDiscardOnlyRecord(void* ctx, void*, size_t size) {
  auto* buffer = static_cast<Buffer*>(ctx);
  if (buffer->owner->decode_errors_.fetch_add(1) < 10)
    spdlog::warn("unexpected record of {} bytes in a discard-only ring buffer", size);
  return 0;
}

void RingReader::Run(Buffer* buffer) {
  while (!stop_.load()) {
    int rc = ring_buffer__poll(buffer->rb, kPollTimeoutMs);
    // poll reads only the buffers that signalled. Syscall records are submitted without a
    // wakeup until VIGIL_WAKEUP_BYTES are waiting (bpf/vigil.bpf.c, deliver_flags), so every
    // buffer is read after each poll, woken or timed out: no record waits longer than
    // kPollTimeoutMs, and none is left behind by a wakeup that never came. A discard-only buffer
    // must be passed over the same way (it frees its space).
    if (rc >= 0) rc = ring_buffer__consume(buffer->rb);
    if (rc < 0 && rc != -EINTR) {
      spdlog::error("ring buffer poll failed: {}", std::strerror(-rc));
      break;
    }
  }
  ring_buffer__consume(buffer->rb);  // what arrived before the stop
}

uint64_t RingReader::events_of_type(uint16_t type) const {
  return type < per_type_.size() ? per_type_[type].load() : 0;
}

uint64_t RingReader::records_from(size_t source) const {
  return source < buffers_.size() ? buffers_[source]->records.load() : 0;
}

}  // namespace vigil::kernel
