#include "output/record_batch_reader.h"

#include <sys/stat.h>

#include "match/derive.h"

namespace vigil::output {
namespace {

bool Blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// Only a regular file is read ahead on a thread: a read from a pipe or a terminal may wait for
// ever, and a caller that stops early (--strict) could not stop the thread.
bool RegularFile(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

RecordBatchReader::RecordBatchReader(int fd, const PolicyIndex& policies, bool threaded,
                                     size_t batch_lines)
    : lines_(fd),
      policies_(policies),
      batch_lines_(batch_lines == 0 ? 1 : batch_lines),
      slots_(threaded && RegularFile(fd) ? kSlots : 1) {
  if (slots_.size() > 1) thread_ = std::thread([this] { Run(); });
}

RecordBatchReader::~RecordBatchReader() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool RecordBatchReader::Fill(Batch* b) {
  b->size = 0;
  std::string_view line;
  while (b->size < batch_lines_) {
    if (!lines_.Next(&line)) {
      read_error_ = lines_.error();
      return false;
    }
    ++line_no_;
    if (Blank(line)) continue;
    if (b->records.size() == b->size) {
      b->records.emplace_back();
      b->line_no.emplace_back();
      b->errors.emplace_back();
    }
    b->line_no[b->size] = line_no_;
    match::EventRecord& record = b->records[b->size];
    if (auto read = json_.Read(line, policies_, &record); read) {
      match::CompleteOfflineRecord(record);
      b->errors[b->size].clear();
    } else {
      b->errors[b->size] = read.error();
    }
    ++b->size;
  }
  return true;
}

void RecordBatchReader::Run() {
  for (;;) {
    size_t slot;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || tail_ - head_ < kSlots; });
      if (stop_) return;
      slot = tail_ % kSlots;
    }
    const bool more = Fill(&slots_[slot]);
    {
      std::lock_guard lock(mu_);
      if (slots_[slot].size > 0) ++tail_;
      if (!more) done_ = true;
    }
    cv_.notify_all();
    if (!more) return;
  }
}

RecordBatchReader::Batch* RecordBatchReader::Next() {
  if (!thread_.joinable()) {
    if (done_) return nullptr;
    done_ = !Fill(&slots_[0]);
    return slots_[0].size > 0 ? &slots_[0] : nullptr;
  }
  std::unique_lock lock(mu_);
  if (holding_) {
    ++head_;
    holding_ = false;
    cv_.notify_all();
  }
  cv_.wait(lock, [&] { return tail_ > head_ || done_; });
  if (tail_ == head_) return nullptr;
  holding_ = true;
  return &slots_[head_ % kSlots];
}

}  // namespace vigil::output
