#include "kernel/ring_reader.h"

#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "kernel/decode.h"

namespace vigil::kernel {

void RingReader::RingBufferFree::operator()(ring_buffer* rb) const {
  ring_buffer__free(rb);
}

Result<std::unique_ptr<RingReader>> RingReader::Start(const std::vector<RingSource>& sources,
                                                      Sink sink) {
  std::unique_ptr<RingReader> self(new RingReader());
  self->sink_ = std::move(sink);
  // Adds one buffer to the reader's ring_buffer (created with the first).
  auto add = [&](int fd, ring_buffer_sample_fn fn, Source* ctx) {
    if (!self->rb_) {
      self->rb_.reset(ring_buffer__new(fd, fn, ctx, nullptr));
      return self->rb_ != nullptr;
    }
    return ring_buffer__add(self->rb_.get(), fd, fn, ctx) == 0;
  };
  for (const RingSource& source : sources) {
    self->sources_.push_back(std::make_unique<Source>());
    Source* s = self->sources_.back().get();
    s->owner = self.get();
    if (!add(source.map_fd, &RingReader::OnRecord, s))
      return Error{"cannot open ring buffer " + source.name + ": " + std::strerror(errno)};
    for (int fd : source.discard_only_fds)
      if (!add(fd, &RingReader::OnDiscardOnlyRecord, s))
        return Error{"cannot open the scratch ring buffer with " + source.name + ": " +
                     std::strerror(errno)};
  }
  if (self->rb_) self->thread_ = std::thread([reader = self.get()] { reader->Run(); });
  return self;
}

RingReader::~RingReader() {
  Stop();
}

void RingReader::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

int RingReader::OnRecord(void* ctx, void* data, size_t size) {
  auto* source = static_cast<Source*>(ctx);
  RingReader* self = source->owner;
  source->records.fetch_add(1, std::memory_order_relaxed);
  Event& event = self->event_;
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
  auto* source = static_cast<Source*>(ctx);
  if (source->owner->decode_errors_.fetch_add(1) < 10)
    spdlog::warn("unexpected record of {} bytes in a discard-only ring buffer", size);
  return 0;
}

void RingReader::Run() {
  while (!stop_.load(std::memory_order_relaxed)) {
    int rc = ring_buffer__poll(rb_.get(), kPollTimeoutMs);
    // poll reads only the buffers that signalled. Syscall and lifecycle records are submitted
    // without a wakeup until VIGIL_WAKEUP_BYTES are waiting (bpf/vigil.bpf.c, deliver_flags), so
    // every buffer is read after each poll, woken or timed out: no record waits longer than
    // kPollTimeoutMs, and none is left behind by a wakeup that never came. The discard-only
    // buffer is passed over the same way (it frees its space).
    if (rc >= 0) rc = ring_buffer__consume(rb_.get());
    if (rc < 0 && rc != -EINTR) {
      spdlog::error("ring buffer poll failed: {}", std::strerror(-rc));
      break;
    }
  }
  ring_buffer__consume(rb_.get());  // what arrived before the stop, in every buffer
}

uint64_t RingReader::events_of_type(uint16_t type) const {
  return type < per_type_.size() ? per_type_[type].load() : 0;
}

uint64_t RingReader::records_from(size_t source) const {
  return source < sources_.size() ? sources_[source]->records.load() : 0;
}

}  // namespace vigil::kernel
