// `vigil replay`'s input as batches of records, in input order: the lines of a file descriptor
// (LineReader) read into records (RecordJsonReader) and completed as offline records are
// (match::CompleteOfflineRecord: derived fields). A batch is claimed in input order (its lines
// copied out of the input, numbered) and then parsed by whichever thread claimed it: the
// caller's thread, whenever the next batch it needs is not ready yet (unless the second thread
// is parsing it and has been keeping ahead), and, with a second thread, that thread, which stays
// a few batches ahead. So both threads parse, and the caller's matches between batches: neither
// waits for the other while there is work. A waiting side spins briefly before it sleeps. The
// records, their line numbers and the errors are the same either way: only the thread that
// parses a batch differs. Given a rule set, the thread that parses a batch also evaluates its
// records (RuleSet::Evaluate is const and keeps its state in a per-thread EvalScratch), so
// matching runs on both threads too; what must run in input order (correlations, throttles, the
// alerts) stays the caller's.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "match/checks.h"
#include "match/event_record.h"
#include "match/rule_set.h"
#include "output/line_reader.h"
#include "output/record_json.h"
#include "output/record_json_reader.h"

namespace vigil::output {

// The CPUs this process may run on (its affinity mask; the online CPUs if that is unknown).
unsigned UsableCpus();

class RecordBatchReader {
 public:
  // One non-blank line of the input: its number (from 1) and either its record or its error.
  struct Batch {
    size_t size = 0;  // lines held (the vectors below are reused and may be longer)
    std::vector<size_t> line_no;
    std::vector<match::EventRecord> records;
    std::vector<std::string> errors;  // empty: the record was read
    // Each read record's matches by the reader's rule set, before correlation (RuleSet::
    // Evaluate); empty when the reader has none.
    std::vector<std::vector<match::RuleMatch>> matches;
    // The reader's: the lines, back to back, then RecordJsonReader::kPadding bytes (so that
    // simdjson parses them in place), and where each one starts.
    std::string text;
    std::vector<size_t> starts;
  };

  // Records in flight with one thread: one batch of 64 lines, few enough to stay in the
  // caches (a record is about 13 kB of slots; with four times as many, writing the strings into
  // the records cost 10-15% of a run more). With two threads: kSlots batches of
  // kThreadedBatchLines (128 records; each thread has its own storage for them).
  static constexpr size_t kRecordsInFlight = 64;
  static constexpr size_t kThreadedBatchLines = 16;

  // Who reads and parses: the caller's thread (kOne), a second thread when `fd` is a regular
  // file (kTwo), or kTwo when at least two CPUs are usable (UsableCpus()) and kOne otherwise
  // (kAuto).
  enum class Threads { kOne, kTwo, kAuto };

  // `policies` and `rules` must outlive the reader. `batch_lines` 0: kRecordsInFlight over the
  // slots. With `rules`, every record read is evaluated into Batch::matches.
  RecordBatchReader(int fd, const PolicyIndex& policies, Threads threads, size_t batch_lines = 0,
                    const match::RuleSet* rules = nullptr);
  ~RecordBatchReader();  // stops the thread (the caller may stop before the end)
  RecordBatchReader(const RecordBatchReader&) = delete;
  RecordBatchReader& operator=(const RecordBatchReader&) = delete;

  // The next batch, valid until the next call; nullptr at the end of the input (or after a
  // read error: read_error()).
  Batch* Next();
  int read_error() const { return read_error_; }
  // Whether a second thread reads and parses.
  bool threaded() const { return thread_.joinable(); }
  // Lines taken by each tier of the reader, both threads' (valid at the end).
  RecordJsonReader::Stats parse_stats() const;

 private:
  // Batches in flight with a second thread: claimed (being parsed), parsed and waiting, the one
  // the caller holds. Eight rather than four: the second thread then rarely finds every slot
  // taken, which makes it wait, and a wait that ends in a sleep can cost milliseconds on a VM
  // (a halted vCPU is given back late). On 400k lines each thread waited 10-30 ms in all with
  // four, 1-10 ms with eight.
  static constexpr size_t kSlots = 8;

  // Under mu_: copies the next lines of the input into the next free slot; false (and
  // input_done_) when the input has no more lines.
  bool Claim(Batch* b);
  // Not under mu_: reads the claimed lines of `b` into its records with `json` and evaluates
  // them with `scratch` (when the reader has rules).
  void Parse(Batch* b, RecordJsonReader& json, match::EvalScratch& scratch);
  void Run();  // the second thread
  // One side's waiting: whether it sleeps on its condition variable, and how long it spins
  // first (adapted to how spins went: kMaxSpinNs in the .cpp).
  struct Waiter {
    int sleeping = 0;
    int64_t spin_ns = 50'000;
  };
  // Under mu_ (in `lock`): waits for a change of the shared state, first spinning briefly with
  // mu_ released (a batch takes tens of microseconds, about what a sleep and a wake-up cost on a
  // VM), then on `cv`. Returns under mu_; the caller re-checks.
  // A lock that spins (then yields) instead of sleeping: what it guards takes a few
  // microseconds, and a thread that slept on a contended std::mutex (a futex wait, about 2,400
  // of them in a 400k-line run) came back late on a VM.
  class SpinLock {
   public:
    void lock();
    bool try_lock() {
      return !held_.load(std::memory_order_relaxed) &&
             !held_.exchange(true, std::memory_order_acquire);
    }
    void unlock() { held_.store(false, std::memory_order_release); }

   private:
    std::atomic<bool> held_{false};
  };
  using Lock = std::unique_lock<SpinLock>;
  void Await(Lock& lock, std::condition_variable_any& cv, Waiter& w);
  // Under mu_: records a change of the shared state and wakes the other side if it sleeps.
  void Changed(std::condition_variable_any& cv, const Waiter& w);

  // What one thread writes for every line it parses, on cache lines of its own: the parser
  // (its counters), the scratch strings of evaluation, and the batches it claims, parses and
  // evaluates into (`batches`, one per slot), so that the lines, records and matches it writes
  // stay in its core's caches. When both threads wrote into the same slots in turn, every
  // string copied into a record missed the cache: with perf on 400k lines, the copies into
  // records took 4.6 times the samples they take with one thread, and the whole run 1.67 times
  // as many; with a slot's storage per thread, 1.17 and 1.25 times.
  struct alignas(128) PerThread {
    RecordJsonReader json;
    match::EvalScratch scratch;
    std::vector<Batch> batches;
  };

  // Read-only once constructed.
  const PolicyIndex& policies_;
  const match::RuleSet* rules_;
  const size_t batch_lines_;
  PerThread caller_side_;  // the caller's thread's
  PerThread thread_side_;  // the second thread's
  // Written by whichever thread claims the next lines (under mu_).
  alignas(128) LineReader lines_;
  size_t line_no_ = 0;
  int read_error_ = 0;

  // Batch number n (from 0, in input order) lives in slot n % slot_count_ (kSlots with a
  // second thread, 1 without), in the batches of the thread that claimed it (from_thread_[slot]).
  // Batches [released_, claimed_) are in flight; ready_[slot] says one is parsed. The caller
  // holds batch released_ from Next() to its next call.
  const size_t slot_count_;
  std::vector<bool> from_thread_;
  SpinLock mu_;
  // The caller sleeps on caller_cv_ (for a parsed batch or the end), the thread on thread_cv_
  // (for a free slot or stop_); each is notified only when its side sleeps. changes_ counts
  // changes of the state below (written under mu_, read by a spinning waiter without it).
  std::condition_variable_any caller_cv_, thread_cv_;
  Waiter caller_wait_, thread_wait_;
  std::atomic<uint64_t> changes_{0};
  size_t released_ = 0, claimed_ = 0;
  std::vector<bool> ready_;
  bool input_done_ = false, stop_ = false, holding_ = false;
  // The second thread found every slot taken when it last looked for one: it parses faster
  // than the caller matches, and the caller leaves the parsing to it.
  bool thread_ahead_ = false;
  std::thread thread_;
};

}  // namespace vigil::output
