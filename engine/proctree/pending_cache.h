// Events whose process or metadata is not known yet (the fork is still on another CPU's way, the
// runtime has not written the pod's config.json) wait here and are retried on a timer. After
// max_attempts retries, or when the cache is full, an event goes out with what is known and
// marked incomplete. Nothing is dropped: every event added is emitted exactly once, and every
// incomplete emission is counted (FIELD-LESSONS 5). The clock is injected; nothing sleeps.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <utility>

namespace vigil::proctree {

// What a retry found out about a waiting event's context.
enum class Resolution {
  kComplete,    // known now: emit complete
  kWait,        // not yet: retry later (up to max_attempts)
  kIncomplete,  // will never be known (e.g. the pod's metadata search gave up): emit incomplete now
};

struct PendingOptions {
  size_t capacity = 8192;                    // events waiting at once
  uint32_t max_attempts = 5;                 // retries before giving up
  uint64_t retry_interval_ns = 100'000'000;  // 100 ms between retries
};

struct PendingStats {
  uint64_t added = 0;
  uint64_t retries = 0;     // resolver calls
  uint64_t resolved = 0;    // emitted complete after waiting
  uint64_t expired = 0;     // emitted incomplete: max_attempts reached
  uint64_t gave_up = 0;     // emitted incomplete: the resolver said it never will be
  uint64_t overflowed = 0;  // emitted incomplete early: the cache was full
  uint64_t flushed = 0;     // emitted incomplete by Flush (shutdown)
};

template <class F>
void ForEachCounter(const PendingStats& s, F&& f) {
  f("pending_added", s.added);
  f("pending_retries", s.retries);
  f("pending_resolved", s.resolved);
  f("pending_expired", s.expired);
  f("pending_gave_up", s.gave_up);
  f("pending_overflowed", s.overflowed);
  f("pending_flushed", s.flushed);
}
static_assert(sizeof(PendingStats) == 7 * sizeof(uint64_t), "update ForEachCounter(PendingStats)");

template <class T>
class PendingCache {
 public:
  using Clock = std::function<uint64_t()>;  // ns, any monotonic clock
  using Resolver = std::function<Resolution(T& event)>;
  using Emitter = std::function<void(T&& event, bool complete)>;

  PendingCache(PendingOptions options, Clock now, Resolver resolve, Emitter emit)
      : options_(options),
        now_(std::move(now)),
        resolve_(std::move(resolve)),
        emit_(std::move(emit)) {
    if (options_.capacity == 0) options_.capacity = 1;
  }

  // Parks an event (its caller already tried to resolve it once). When the cache is full the
  // oldest waiting event is emitted incomplete to make room.
  void Add(T event) {
    ++stats_.added;
    if (queue_.size() >= options_.capacity) {
      ++stats_.overflowed;
      Entry oldest = std::move(queue_.front());
      queue_.pop_front();
      emit_(std::move(oldest.event), false);
    }
    queue_.push_back(Entry{std::move(event), now_() + options_.retry_interval_ns, 0});
  }

  // Retries every entry that is due; returns how many were emitted (complete or not).
  size_t Poll() {
    const uint64_t now = now_();
    size_t emitted = 0;
    // Entries are due in queue order (one fixed interval), so stop at the first not due.
    size_t budget = queue_.size();  // each entry is looked at once per poll
    while (budget-- > 0 && !queue_.empty() && queue_.front().due_ns <= now) {
      Entry entry = std::move(queue_.front());
      queue_.pop_front();
      ++entry.attempts;
      ++stats_.retries;
      const Resolution resolution = resolve_(entry.event);
      if (resolution == Resolution::kComplete) {
        ++stats_.resolved;
        ++emitted;
        emit_(std::move(entry.event), true);
      } else if (resolution == Resolution::kIncomplete) {
        ++stats_.gave_up;
        ++emitted;
        emit_(std::move(entry.event), false);
      } else if (entry.attempts >= options_.max_attempts) {
        ++stats_.expired;
        ++emitted;
        emit_(std::move(entry.event), false);
      } else {
        entry.due_ns = now + options_.retry_interval_ns;
        queue_.push_back(std::move(entry));
      }
    }
    return emitted;
  }

  // Emits everything still waiting, incomplete (shutdown).
  size_t Flush() {
    size_t emitted = 0;
    while (!queue_.empty()) {
      Entry entry = std::move(queue_.front());
      queue_.pop_front();
      ++stats_.flushed;
      ++emitted;
      emit_(std::move(entry.event), false);
    }
    return emitted;
  }

  size_t size() const { return queue_.size(); }
  const PendingStats& stats() const { return stats_; }
  const PendingOptions& options() const { return options_; }

 private:
  struct Entry {
    T event;
    uint64_t due_ns;
    uint32_t attempts;
  };

  PendingOptions options_;
  Clock now_;
  Resolver resolve_;
  Emitter emit_;
  std::deque<Entry> queue_;
  PendingStats stats_;
};

}  // namespace vigil::proctree
