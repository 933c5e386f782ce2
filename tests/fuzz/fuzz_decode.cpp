// libFuzzer target: the event decoder. The input is one ring-buffer record, any bytes (the
// kernel side is trusted to write records of its layout, but the decoder must reject, not
// misread, anything else). A record that decodes is then written out as `vigil trace` does,
// as text and as the event JSON.
#include <cstddef>
#include <cstdint>
#include <string>

#include "kernel/decode.h"
#include "output/event_json.h"
#include "output/record_json.h"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static kernel::Event event;  // reused across records, as the ring readers do
  if (!kernel::DecodeRecord(data, size, &event)) return 0;
  std::string text;
  output::AppendEventText(text, event);
  match::EventRecord record;
  if (auto type = lang::EventTypeFromKernel(event.type)) record.set_type(*type);
  (void)output::DumpJsonLine(output::EventToJson(record, &event, kernel::ClockSource::kBoottime));
  return 0;
}
