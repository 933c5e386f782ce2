// libFuzzer target: the replay reader. The input is one line of `vigil replay` input: JSON,
// then the event record (output::RecordFromJsonLine), completed as replay completes it
// (match::CompleteOfflineRecord). A line that is read must survive the round trip: written
// back as the event JSON, it reads again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "match/derive.h"
#include "output/record_json.h"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const output::PolicyIndex kPolicies = {{"host", 0}, {"web", 1}, {"p63", 63}};
  std::string_view line(reinterpret_cast<const char*>(data), size);
  match::EventRecord record;
  if (!output::RecordFromJsonLine(line, kPolicies, &record)) return 0;
  match::CompleteOfflineRecord(record);
  match::EventRecord again;
  if (!output::RecordFromJson(output::RecordToJson(record), kPolicies, &again))
    __builtin_trap();  // a record replay accepted does not read back
  return 0;
}
