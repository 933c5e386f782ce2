// The fast reader of `vigil replay` lines, in three tiers that give exactly what
// RecordFromJsonLine (nlohmann) gives, for every input:
//  1. the scanner (record_json_scan.h) reads a line of the usual shape in one pass, filling the
//     record as it checks the JSON;
//  2. a line it gives up on (a \u escape, a float, -0, a duplicate key, any error) is parsed by
//     simdjson and one walk over its objects fills the record;
//  3. a line simdjson's walk does not accept as it stands (any error, a duplicate key, the
//     integer -0, a number simdjson does not represent as nlohmann does) goes to
//     RecordFromJsonLine, which then decides and words the error.
// Both fast tiers look the key paths of the event JSON up in one tree built once
// (record_json_keys.h). Malformed lines are rare, so errors cost nothing on the common path.
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
  // buffer, or filler): the line is then read where it is instead of being copied first.
  static constexpr size_t kPadding = 64;

  // Same contract as RecordFromJsonLine (record_json.h).
  Status Read(std::string_view line, const PolicyIndex& policies, match::EventRecord* r,
              bool padded = false);

  struct Stats {
    uint64_t scanned = 0;  // lines the scanner read
    uint64_t fast = 0;     // lines the simdjson path read
    uint64_t slow = 0;     // lines handed to RecordFromJsonLine (errors and rare shapes)
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Impl;  // keeps simdjson out of this header
  std::unique_ptr<Impl> impl_;
  Stats stats_;
};

}  // namespace vigil::output
