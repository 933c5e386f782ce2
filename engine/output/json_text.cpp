#include "output/json_text.h"

#include <charconv>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil::output {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// \u00XX for a code point below 0x100.
void AppendEscapedByte(std::string* out, unsigned cp) {
  const char esc[6] = {'\\', 'u', '0', '0', kHex[(cp >> 4) & 15], kHex[cp & 15]};
  out->append(esc, 6);
}

// An ASCII byte that cannot be copied as it is: a control character, a quote, a backslash, DEL.
void AppendEscapedAscii(std::string* out, unsigned char c) {
  switch (c) {
    case '\b':
      out->append("\\b", 2);
      return;
    case '\t':
      out->append("\\t", 2);
      return;
    case '\n':
      out->append("\\n", 2);
      return;
    case '\f':
      out->append("\\f", 2);
      return;
    case '\r':
      out->append("\\r", 2);
      return;
    case '"':
      out->append("\\\"", 2);
      return;
    case '\\':
      out->append("\\\\", 2);
      return;
    default:
      AppendEscapedByte(out, c);  // C0 controls and DEL
  }
}

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

bool Plain(unsigned char c) {
  return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

// The first byte at or after `i` that is not Plain, `n` if none: 16 bytes at a time while 16
// are left (as signed bytes, every byte from 0x80 up is below 0x20 too).
size_t PlainUntil(const unsigned char* p, size_t i, size_t n) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f), quote = _mm_set1_epi8('"'),
                backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)),
                     _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    if (const int mask = _mm_movemask_epi8(special); mask != 0)
      return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  while (i < n && Plain(p[i])) ++i;
  return i;
}

}  // namespace

// nlohmann's serializer decodes UTF-8 with a DFA that accepts exactly the well-formed sequences
// (no overlong forms, no surrogates, nothing above U+10FFFF). With the replace handler, a byte
// that cannot start a sequence becomes one U+FFFD; a sequence cut short by a byte that cannot
// continue it becomes one U+FFFD and that byte is read again; a sequence cut short by the end
// of the string becomes one U+FFFD. The lead byte decides the range of the first continuation
// byte, as below.
void AppendJsonString(std::string* out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  out->push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = 0;
  for (;;) {
    i = PlainUntil(p, i, n);
    if (i >= n) break;
    const unsigned char c = p[i];
    out->append(s.data() + run, i - run);
    if (c < 0x80) {
      AppendEscapedAscii(out, c);
      run = ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the first continuation byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c == 0xE0) {
      len = 3, lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      len = 3;
    } else if (c == 0xED) {
      len = 3, hi = 0x9F;
    } else if (c == 0xF0) {
      len = 4, lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      len = 4;
    } else if (c == 0xF4) {
      len = 4, hi = 0x8F;
    } else {  // a continuation byte, C0, C1, F5..FF: cannot start a sequence
      out->append(kReplacement, 3);
      run = ++i;
      continue;
    }
    size_t k = 1;
    for (; k < len && i + k < n; ++k) {
      const unsigned char b = p[i + k];
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) break;
    }
    if (k < len) {
      out->append(kReplacement, 3);
      i = i + k;  // the byte that broke the sequence is read again (or the string ended)
      run = i;
      continue;
    }
    if (len == 2 && c == 0xC2 && p[i + 1] <= 0x9F) {
      AppendEscapedByte(out, p[i + 1]);  // U+0080..U+009F, the C1 controls
    } else if (len == 3 && c == 0xE2 && p[i + 1] == 0x80 &&
               (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
      out->append(p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
    } else {
      out->append(s.data() + i, len);
    }
    i += len;
    run = i;
  }
  out->append(s.data() + run, n - run);
  out->push_back('"');
}

void AppendJsonInt(std::string* out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

void AppendJsonUint(std::string* out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

}  // namespace vigil::output
