// The first reader of a `vigil replay` line: one pass over its bytes that checks the JSON and
// fills the record as it goes, with no document built in between. It reads the shape that
// `vigil record` and `vigil trace` write (objects of known keys, strings, integers, booleans,
// arrays of strings) and gives up on anything it is not certain to read exactly as
// RecordFromJsonLine does: a \u escape, a number with a fraction or an exponent or beyond 64
// bits, -0, a duplicate key, a dotted key, nesting deeper than a few levels in an unknown key,
// any error. A line it gives up on goes to the simdjson reader (record_json_reader.h), which
// decides; so for every line it accepts, the record is the one the reference reader gives.
// simdjson still checks the line's UTF-8 (validate_utf8, SIMD) before the scan.
#pragma once

#include <string>
#include <string_view>

#include "match/event_record.h"
#include "output/record_json.h"
#include "output/record_json_keys.h"

namespace vigil::output {

class RecordLineScanner {
 public:
  // Readable bytes (any content) the scanner needs after a line: it loads 16 bytes at a time.
  static constexpr size_t kPadding = 32;

  explicit RecordLineScanner(json_keys::KeyTree& keys) : keys_(keys) {}

  // Reads `line` (followed by kPadding readable bytes) into `r`, with its type; false when it
  // gave up (`r` then holds part of the line).
  bool Read(std::string_view line, const PolicyIndex& policies, match::EventRecord* r);

 private:
  // Where the scan is in the line. The readers below take it by reference; Object() works on
  // a local copy, so that the position stays in a register across the record's setters.
  struct Cursor {
    const char* p;
    const char* end;
    // The byte at the cursor, NUL at the end of the line (never valid outside a string).
    char Peek() const { return p < end ? *p : '\0'; }
    // Blanks are rare in written events: one test (every JSON blank is at most ' ') settles
    // the usual case.
    void SkipBlanks() {
      if (p<end&& static_cast<unsigned char>(*p)> 0x20) return;
      while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
    }
    bool Literal(std::string_view word);
    bool Bool(bool* v) {
      if (Literal("true")) return *v = true;
      if (!Literal("false")) return false;
      *v = false;
      return true;
    }
    // After a member of an array or object: blanks, then `close` (kEnd) or a comma and blanks
    // (kMore), each consumed; anything else is kBad.
    enum class After { kMore, kEnd, kBad };
    After Separator(char close) {
      SkipBlanks();
      const char next = Peek();
      ++p;
      if (next == close) return After::kEnd;
      if (next != ',') return After::kBad;
      SkipBlanks();
      return After::kMore;
    }
  };

  bool Object(uint32_t node, Cursor& in);
  bool SkipValue(Cursor& c, int depth);
  // A string at '"' (inline: the usual string has no escape), and the rest of one that has.
  [[gnu::always_inline]] bool String(Cursor& c, std::string_view* out);
  bool EscapedString(Cursor& c, const char* start, std::string_view* out);
  bool SkipString(Cursor& c);
  [[gnu::always_inline]] static bool Integer(Cursor& c, uint64_t* magnitude, bool* negative);
  static bool NonNegative(Cursor& c, uint64_t* v);
  // At '[': an array of strings, each passed to `each` (a view valid during the call).
  template <typename Each>
  bool StringArray(Cursor& c, Each&& each);
  bool StringList(Cursor& c, lang::FieldId id);
  bool Policies(Cursor& c);

  json_keys::KeyTree& keys_;
  const PolicyIndex* policies_ = nullptr;
  match::EventRecord* r_ = nullptr;
  uint64_t stamp_ = 0;
  std::string_view type_name_;  // evt.type (points into the record)
  bool has_type_ = false;
  std::string unescaped_;  // a string with escapes, decoded
};

}  // namespace vigil::output
