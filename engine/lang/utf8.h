// UTF-8 validation shared by the source loader (is this file text?) and the parser (replace what
// is not UTF-8 before ANTLR sees it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigil::lang {

// Length of the valid UTF-8 sequence starting at text[i] (1 to 4), or 0 when the bytes there
// are not one: a bad lead or continuation byte, a cut-off sequence, an overlong form, a
// surrogate or a code point past U+10FFFF.
inline size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const unsigned char c = static_cast<unsigned char>(text[i]);
  const size_t len = c < 0x80           ? 1
                     : (c >> 5) == 0x6  ? 2
                     : (c >> 4) == 0xE  ? 3
                     : (c >> 3) == 0x1E ? 4
                                        : 0;
  if (len == 0 || i + len > text.size()) return 0;
  uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
  for (size_t k = 1; k < len; ++k) {
    const unsigned char cc = static_cast<unsigned char>(text[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

// Code points in `s` (valid UTF-8): the bytes that do not continue a sequence. Columns and
// lengths in findings count these, as ANTLR's input stream does.
inline uint32_t CodePointCount(std::string_view s) {
  uint32_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace vigil::lang
