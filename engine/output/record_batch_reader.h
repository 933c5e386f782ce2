// `vigil replay`'s input as batches of records, in input order: the lines of a file descriptor
// (LineReader) read into records (RecordJsonReader) and completed as offline records are
// (match::CompleteOfflineRecord: derived fields), either in the caller's thread or, with
// `threaded`, on a thread of its own that stays a few batches ahead, so that reading and
// parsing one batch overlaps with matching the one before. The records, their line numbers and
// the errors are the same either way: only the thread that reads them differs.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "match/event_record.h"
#include "output/line_reader.h"
#include "output/record_json.h"
#include "output/record_json_reader.h"

namespace vigil::output {

class RecordBatchReader {
 public:
  // One non-blank line of the input: its number (from 1) and either its record or its error.
  struct Batch {
    size_t size = 0;  // lines held (the vectors below are reused and may be longer)
    std::vector<size_t> line_no;
    std::vector<match::EventRecord> records;
    std::vector<std::string> errors;  // empty: the record was read
  };

  // Small batches keep the records in flight (kSlots batches) in the caches: a record is a few
  // kB of slots, and the matching thread reads each one soon after the reading thread wrote it.
  static constexpr size_t kDefaultBatchLines = 64;

  // `policies` must outlive the reader.
  RecordBatchReader(int fd, const PolicyIndex& policies, bool threaded,
                    size_t batch_lines = kDefaultBatchLines);
  ~RecordBatchReader();  // stops the thread (the caller may stop before the end)
  RecordBatchReader(const RecordBatchReader&) = delete;
  RecordBatchReader& operator=(const RecordBatchReader&) = delete;

  // The next batch, valid until the next call; nullptr at the end of the input (or after a
  // read error: read_error()).
  Batch* Next();
  int read_error() const { return read_error_; }
  // Lines taken by the fast and the reference parser (valid at the end of the input).
  const RecordJsonReader::Stats& parse_stats() const { return json_.stats(); }

 private:
  static constexpr size_t kSlots = 4;  // batches in flight: being filled, queued, being used

  bool Fill(Batch* b);  // false when the input had no more lines
  void Run();           // the reader thread

  LineReader lines_;
  const PolicyIndex& policies_;
  RecordJsonReader json_;
  const size_t batch_lines_;
  size_t line_no_ = 0;
  int read_error_ = 0;

  std::vector<Batch> slots_;
  // Threaded: slots [head_, tail_) (mod kSlots) are filled and not yet handed out; the slot
  // handed out last is held by the caller until its next call.
  std::mutex mu_;
  std::condition_variable cv_;
  size_t head_ = 0, tail_ = 0;
  bool done_ = false, stop_ = false, holding_ = false;
  std::thread thread_;
};

}  // namespace vigil::output
