// The fast reader of `vigil replay` lines: simdjson parses the line and one walk over its
// objects fills the record, with the key paths of the event JSON looked up in a tree built once.
// It gives exactly what RecordFromJsonLine (nlohmann) gives, for every input: a line the fast
// path does not accept as it stands (any error, a duplicate key, the integer -0, a number
// simdjson does not represent as nlohmann does) goes to RecordFromJsonLine, which then decides
// and words the error. Malformed lines are rare, so errors cost nothing on the common path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "match/event_record.h"
#include "output/record_json.h"
#include "util/result.h"

namespace vigil::output {

class RecordJsonReader {
 public:
  RecordJsonReader();
  ~RecordJsonReader();
  RecordJsonReader(const RecordJsonReader&) = delete;
  RecordJsonReader& operator=(const RecordJsonReader&) = delete;

  // Readable bytes a caller promises after a `padded` line (any content: the next lines of a
  // buffer, or filler): simdjson then parses the line where it is instead of copying it first.
  static constexpr size_t kPadding = 64;

  // Same contract as RecordFromJsonLine (record_json.h).
  Status Read(std::string_view line, const PolicyIndex& policies, match::EventRecord* r,
              bool padded = false);

  struct Stats {
    uint64_t fast = 0;  // lines the simdjson path read
    uint64_t slow = 0;  // lines handed to RecordFromJsonLine (errors and rare shapes)
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Impl;  // keeps simdjson out of this header
  std::unique_ptr<Impl> impl_;
  Stats stats_;
};

}  // namespace vigil::output
