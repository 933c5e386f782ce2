#include "kernel/ring_reader.h"

#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kernel/decode.h"

namespace vigil::kernel {

void RingReader::RingBufferFree::operator()(ring_buffer* rb) const {
  ring_buffer__free(rb);
}

Result<RingReader::RingPositions> RingReader::RingPositions::Map(int map_fd) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  // The consumer page, then the producer page; read-only, so the kernel allows both.
  void* base = mmap(nullptr, 2 * page, PROT_READ, MAP_SHARED, map_fd, 0);
  if (base == MAP_FAILED)
    return Error{std::string("cannot map ring positions: ") + std::strerror(errno)};
  return RingPositions(base, page);
}

RingReader::RingPositions::RingPositions(RingPositions&& other) noexcept
    : base_(other.base_), page_(other.page_) {
  other.base_ = nullptr;
}

RingReader::RingPositions::~RingPositions() {
  if (base_) munmap(base_, 2 * page_);
}

bool RingReader::RingPositions::HoldsData() const {
  const auto* consumer = static_cast<const unsigned long*>(base_);
  const auto* producer =
      reinterpret_cast<const unsigned long*>(static_cast<const char*>(base_) + page_);
  return __atomic_load_n(producer, __ATOMIC_ACQUIRE) != __atomic_load_n(consumer, __ATOMIC_ACQUIRE);
}

Result<std::unique_ptr<RingReader>> RingReader::Start(const std::vector<RingSource>& sources,
                                                      Sink sink, PollOptions poll) {
  std::unique_ptr<RingReader> self(new RingReader());
  self->sink_ = std::move(sink);
  self->options_ = poll;
  self->options_.poll_timeout_ms = std::max(1, poll.poll_timeout_ms);
  // Adds one buffer to the reader's ring_buffer (created with the first).
  auto add = [&](int fd, ring_buffer_sample_fn fn, Source* ctx) {
    if (poll.asleep_flag) {
      auto positions = RingPositions::Map(fd);
      if (!positions) return false;
      self->positions_.push_back(std::move(positions.value()));
    }
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
  if (!self->rb_) return self;
  // One epoll set of the ring_buffer's own epoll fd (readable when a ring signalled) and of the
  // eventfd with which Stop wakes the thread at once, however long its timeout.
  self->epoll_.Reset(epoll_create1(EPOLL_CLOEXEC));
  self->stop_event_.Reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (self->epoll_.get() < 0 || self->stop_event_.get() < 0)
    return Error{std::string("cannot create the reader's epoll set: ") + std::strerror(errno)};
  for (int fd : {ring_buffer__epoll_fd(self->rb_.get()), self->stop_event_.get()}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (epoll_ctl(self->epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
      return Error{std::string("cannot create the reader's epoll set: ") + std::strerror(errno)};
  }
  self->thread_ = std::thread([reader = self.get()] { reader->Run(); });
  return self;
}

RingReader::~RingReader() {
  Stop();
}

void RingReader::Stop() {
  stop_ = true;
  if (stop_event_.get() >= 0) {
    const uint64_t one = 1;
    (void)!write(stop_event_.get(), &one, sizeof(one));
  }
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
  int quiet = 0;  // consecutive polls that read nothing
  const int quiet_polls =
      std::max(1, (options_.quiet_ms + options_.poll_timeout_ms - 1) / options_.poll_timeout_ms);
  while (!stop_.load(std::memory_order_relaxed)) {
    const bool asleep = idle_.load(std::memory_order_relaxed);
    epoll_event events[2];
    const int n = epoll_wait(epoll_.get(), events, 2,
                             asleep ? options_.idle_timeout_ms : options_.poll_timeout_ms);
    if (n < 0 && errno != EINTR) {
      spdlog::error("ring buffer poll failed: {}", std::strerror(errno));
      break;
    }
    polls_.fetch_add(1, std::memory_order_relaxed);
    if (n == 0) timeouts_.fetch_add(1, std::memory_order_relaxed);
    // Every buffer is read after each wait, woken or timed out. Syscall and lifecycle records are
    // submitted without a wakeup until VIGIL_WAKEUP_BYTES are waiting (bpf/vigil.bpf.c,
    // deliver_flags), so while records flow none waits longer than poll_timeout_ms, and none is
    // left behind by a wakeup that never came. The discard-only buffer is passed over the same
    // way (it frees its space).
    const int rc = ring_buffer__consume(rb_.get());
    if (rc < 0 && rc != -EINTR) {
      spdlog::error("ring buffer read failed: {}", std::strerror(-rc));
      break;
    }
    // Asleep, the reader leaves idle mode with a record read, or when a program took the flag:
    // its record may still be reserved on another CPU while one committed after it woke the
    // reader (the read stops at a record still being written), and with the flag taken no
    // later record wakes the reader.
    if (asleep && (rc > 0 || std::atomic_ref<__u64>(*options_.asleep_flag).load() == 0)) {
      if (n > 0)
        idle_woken_.fetch_add(1, std::memory_order_relaxed);
      else if (rc > 0)
        idle_late_.fetch_add(1, std::memory_order_relaxed);
      LeaveIdle();
    }
    if (rc > 0) {
      quiet = 0;
    } else if (!asleep && options_.asleep_flag && ++quiet >= quiet_polls) {
      quiet = 0;
      if (EnterIdle()) idle_entered_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  ring_buffer__consume(rb_.get());  // what arrived before the stop, in every buffer
}

// The flag is stored (seq_cst: an xchg on x86, a full barrier) before producer_pos of every ring
// is read. A program stores producer_pos when it reserves a record and reads the flag after the
// record's commit (an xchg on its header, a full barrier: wake_reader in bpf/vigil.bpf.c). That
// is Dekker's pattern: either the program sees the flag, clears it and forces a wakeup, or this
// check sees the record and the reader keeps polling. Only main-ring records clear the flag; the
// net ring's records use the kernel's adaptive wakeup, which wakes a reader that has caught up.
bool RingReader::EnterIdle() {
  std::atomic_ref<__u64>(*options_.asleep_flag).store(1, std::memory_order_seq_cst);
  for (const RingPositions& ring : positions_)
    if (ring.HoldsData()) {
      LeaveIdle();
      return false;
    }
  idle_.store(true, std::memory_order_relaxed);
  return true;
}

void RingReader::LeaveIdle() {
  std::atomic_ref<__u64>(*options_.asleep_flag).store(0, std::memory_order_relaxed);
  idle_.store(false, std::memory_order_relaxed);
}

IdleStats RingReader::idle_stats() const {
  return {polls_.load(), timeouts_.load(), idle_entered_.load(), idle_woken_.load(),
          idle_late_.load()};
}

uint64_t RingReader::events_of_type(uint16_t type) const {
  return type < per_type_.size() ? per_type_[type].load() : 0;
}

uint64_t RingReader::records_from(size_t source) const {
  return source < sources_.size() ? sources_[source]->records.load() : 0;
}

}  // namespace vigil::kernel
