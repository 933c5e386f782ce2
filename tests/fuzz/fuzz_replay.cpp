// libFuzzer target: the replay readers. The input is one line of `vigil replay` input: JSON,
// then the event record (output::RecordFromJsonLine), completed as replay completes it
// (match::CompleteOfflineRecord). A line that is read must survive the round trip: written
// back as the event JSON, it reads again. The fast reader (output::RecordJsonReader: the
// scanner, then simdjson) must give what the reference reader gives, verdict, error text and
// record alike, both for the input read on its own and for its first half read in place with
// the second half (and padding) after it, as a batch of lines lies in memory.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "match/derive.h"
#include "output/record_json.h"
#include "output/record_json_reader.h"

using namespace vigil;

namespace {

const output::PolicyIndex kPolicies = {{"host", 0}, {"web", 1}, {"p63", 63}};

// Traps unless the fast reader reads `line` (in place when `padded`) as the reference does.
void SameAsReference(std::string_view line, bool padded) {
  static output::RecordJsonReader fast;
  match::EventRecord want, got;
  const Status a = output::RecordFromJsonLine(line, kPolicies, &want);
  const Status b = fast.Read(line, kPolicies, &got, padded);
  if (a.ok() != b.ok()) __builtin_trap();
  if (!a.ok()) {
    if (a.error() != b.error()) __builtin_trap();
    return;
  }
  if (want.type() != got.type() ||
      output::RecordToJson(want).dump() != output::RecordToJson(got).dump())
    __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  SameAsReference(line, /*padded=*/false);
  const std::string buffer =
      std::string(line) + std::string(output::RecordJsonReader::kPadding, '}');
  SameAsReference(std::string_view(buffer.data(), size / 2), /*padded=*/true);

  match::EventRecord record;
  if (!output::RecordFromJsonLine(line, kPolicies, &record)) return 0;
  match::CompleteOfflineRecord(record);
  match::EventRecord again;
  if (!output::RecordFromJson(output::RecordToJson(record), kPolicies, &again))
    __builtin_trap();  // a record replay accepted does not read back
  return 0;
}
