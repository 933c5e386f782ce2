#include "output/record_batch_reader.h"

#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "match/derive.h"

namespace vigil::output {
namespace {

// How long a waiter spins before it sleeps: at most half a millisecond (several batches of 16
// lines; a sleep and a wake-up cost about as much on a VM, and much more when the host gives
// the halted vCPU back late), at least 50 microseconds (about one batch). Each side halves its
// spin when a spin ended without a change (the other thread is off the CPU: another process
// uses it) and doubles it back when one succeeds, so a busy machine is not made much busier.
constexpr int64_t kMaxSpinNs = 500'000, kMinSpinNs = 50'000;

// Tells the CPU this is a spin-wait loop (it yields to the sibling hyperthread and saves power).
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

bool Blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// Only a regular file is read ahead on a thread: a read from a pipe or a terminal may wait for
// ever, and a caller that stops early (--strict) could not stop the thread.
bool RegularFile(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

bool SecondThread(int fd, RecordBatchReader::Threads threads) {
  using Threads = RecordBatchReader::Threads;
  if (threads == Threads::kOne || (threads == Threads::kAuto && UsableCpus() < 2)) return false;
  return RegularFile(fd);
}

}  // namespace

unsigned UsableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) return static_cast<unsigned>(CPU_COUNT(&set));
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<unsigned>(online) : 1;
}

RecordBatchReader::RecordBatchReader(int fd, const PolicyIndex& policies, Threads threads,
                                     size_t batch_lines, const match::RuleSet* rules)
    : policies_(policies),
      rules_(rules),
      batch_lines_(batch_lines > 0             ? batch_lines
                   : SecondThread(fd, threads) ? kThreadedBatchLines
                                               : kRecordsInFlight),
      lines_(fd),
      // One thread needs one slot: the batch it parses is the batch it matches, and the
      // records stay in the caches.
      slot_count_(SecondThread(fd, threads) ? kSlots : 1),
      from_thread_(slot_count_, false),
      ready_(slot_count_, false) {
  caller_side_.batches.resize(slot_count_);
  if (slot_count_ > 1) {
    thread_side_.batches.resize(slot_count_);
    thread_ = std::thread([this] { Run(); });
  }
}

RecordBatchReader::~RecordBatchReader() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<SpinLock> lock(mu_);
    stop_ = true;
    Changed(thread_cv_, thread_wait_);
  }
  thread_.join();
}

RecordJsonReader::Stats RecordBatchReader::parse_stats() const {
  RecordJsonReader::Stats s = caller_side_.json.stats();
  const RecordJsonReader::Stats& t = thread_side_.json.stats();
  s.scanned += t.scanned;
  s.fast += t.fast;
  s.slow += t.slow;
  return s;
}

bool RecordBatchReader::Claim(Batch* b) {
  b->size = 0;
  b->text.clear();
  b->starts.clear();
  std::string_view line;
  while (b->size < batch_lines_) {
    if (input_done_ || !lines_.Next(&line)) {
      input_done_ = true;
      read_error_ = lines_.error();
      break;
    }
    ++line_no_;
    if (Blank(line)) continue;
    if (b->line_no.size() == b->size) {
      b->records.emplace_back();
      b->line_no.emplace_back();
      b->errors.emplace_back();
      b->matches.emplace_back();
    }
    b->line_no[b->size] = line_no_;
    b->starts.push_back(b->text.size());
    b->text.append(line);
    b->text.push_back('\n');
    ++b->size;
  }
  b->starts.push_back(b->text.size());
  b->text.append(RecordJsonReader::kPadding, ' ');
  return b->size > 0;
}

void RecordBatchReader::Parse(Batch* b, RecordJsonReader& json, match::EvalScratch& scratch) {
  for (size_t i = 0; i < b->size; ++i) {
    // Each line without its newline; the lines after it and the padding follow it.
    const std::string_view line(b->text.data() + b->starts[i], b->starts[i + 1] - b->starts[i] - 1);
    match::EventRecord& record = b->records[i];
    b->matches[i].clear();
    if (auto read = json.Read(line, policies_, &record, /*padded=*/true); read) {
      match::CompleteOfflineRecord(record);
      b->errors[i].clear();
      if (rules_) rules_->Evaluate(record, scratch, b->matches[i]);
    } else {
      b->errors[i] = read.error();
    }
  }
}

void RecordBatchReader::SpinLock::lock() {
  for (unsigned spins = 0; held_.exchange(true, std::memory_order_acquire);) {
    while (held_.load(std::memory_order_relaxed)) {
      CpuRelax();
      if (++spins % 4096 == 0) std::this_thread::yield();  // the holder may be off the CPU
    }
  }
}

void RecordBatchReader::Await(Lock& lock, std::condition_variable_any& cv, Waiter& w) {
  const uint64_t seen = changes_.load(std::memory_order_relaxed);
  lock.unlock();
  const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(w.spin_ns);
  bool changed = true;
  for (unsigned n = 1; changes_.load(std::memory_order_relaxed) == seen; ++n) {
    CpuRelax();
    if (n % 64 == 0 && std::chrono::steady_clock::now() >= until) {
      changed = false;
      break;
    }
  }
  w.spin_ns = changed ? std::min(w.spin_ns * 2, kMaxSpinNs) : std::max(w.spin_ns / 2, kMinSpinNs);
  lock.lock();
  // Changes happen under mu_: if none happened since `seen`, none can before the wait below
  // releases mu_, and the next one sees a waiter and notifies.
  if (changes_.load(std::memory_order_relaxed) != seen) return;
  ++w.sleeping;
  cv.wait(lock);
  --w.sleeping;
}

void RecordBatchReader::Changed(std::condition_variable_any& cv, const Waiter& w) {
  changes_.fetch_add(1, std::memory_order_relaxed);
  if (w.sleeping > 0) cv.notify_one();
}

void RecordBatchReader::Run() {
  Lock lock(mu_);
  for (;;) {
    thread_ahead_ = claimed_ - released_ >= slot_count_;
    while (!stop_ && !input_done_ && claimed_ - released_ >= slot_count_)
      Await(lock, thread_cv_, thread_wait_);
    if (stop_ || input_done_) return;
    const size_t slot = claimed_ % slot_count_;
    Batch* batch = &thread_side_.batches[slot];
    if (!Claim(batch)) {
      Changed(caller_cv_, caller_wait_);  // the caller may wait for the end of the input
      return;
    }
    ++claimed_;
    lock.unlock();
    Parse(batch, thread_side_.json, thread_side_.scratch);
    lock.lock();
    from_thread_[slot] = true;
    ready_[slot] = true;
    Changed(caller_cv_, caller_wait_);
  }
}

RecordBatchReader::Batch* RecordBatchReader::Next() {
  Lock lock(mu_);
  if (holding_) {
    ready_[released_ % slot_count_] = false;
    ++released_;
    holding_ = false;
    Changed(thread_cv_, thread_wait_);
  }
  for (;;) {
    const size_t slot = released_ % slot_count_;
    if (released_ < claimed_ && ready_[slot]) {
      holding_ = true;
      return &(from_thread_[slot] ? thread_side_ : caller_side_).batches[slot];
    }
    // The next batch is not parsed yet. When the second thread parses it and keeps ahead,
    // wait for it: parsing another batch here would slow the matching that the thread waits
    // for. Otherwise parse one here rather than wait (this one is needed soon after). Only this
    // thread waits for a parsed batch, so marking it ready wakes no one.
    const bool in_progress = released_ < claimed_;
    if (!input_done_ && claimed_ - released_ < slot_count_ && !(in_progress && thread_ahead_)) {
      const size_t mine = claimed_ % slot_count_;
      Batch* batch = &caller_side_.batches[mine];
      if (Claim(batch)) {
        ++claimed_;
        lock.unlock();
        Parse(batch, caller_side_.json, caller_side_.scratch);
        lock.lock();
        from_thread_[mine] = false;
        ready_[mine] = true;
      } else {
        Changed(thread_cv_, thread_wait_);  // the input ended: the thread may stop
      }
      continue;
    }
    if (released_ == claimed_ && input_done_) return nullptr;
    Await(lock, caller_cv_, caller_wait_);
  }
}

}  // namespace vigil::output
