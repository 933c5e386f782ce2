#include "lang/string_literal.h"

#include <cstdint>

namespace vigil::lang {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool UnescapeStringLiteral(std::string_view token, std::string& out, UnescapeError& error) {
  out.clear();
  if (token.size() < 2) return true;
  std::string_view body = token.substr(1, token.size() - 2);
  if (token.front() == '\'') {
    out.assign(body);
    return true;
  }
  bool ok = true;
  size_t cp_offset = 1;  // code points from the opening quote
  for (size_t i = 0; i < body.size(); ++i, ++cp_offset) {
    char c = body[i];
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) --cp_offset;  // UTF-8 continuation
    if (c != '\\') {
      out += c;
      continue;
    }
    const size_t at = cp_offset;
    if (i + 1 >= body.size()) break;  // the lexer never produces this
    char e = body[++i];
    ++cp_offset;
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '0': out += '\0'; break;
      case 'x': {
        int hi = i + 1 < body.size() ? HexDigit(body[i + 1]) : -1;
        int lo = i + 2 < body.size() ? HexDigit(body[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
          if (ok) error = {at, "\\x needs two hex digits"};
          ok = false;
          break;
        }
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        cp_offset += 2;
        break;
      }
      case 'u': {
        size_t close = body.find('}', i);
        if (i + 1 >= body.size() || body[i + 1] != '{' || close == std::string_view::npos ||
            close == i + 2 || close - i - 2 > 6) {
          if (ok) error = {at, "\\u needs the form \\u{1F600} (one to six hex digits)"};
          ok = false;
          break;
        }
        uint32_t cp = 0;
        bool digits_ok = true;
        for (size_t k = i + 2; k < close; ++k) {
          int d = HexDigit(body[k]);
          if (d < 0) digits_ok = false;
          cp = cp * 16 + static_cast<uint32_t>(d < 0 ? 0 : d);
        }
        if (!digits_ok || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          if (ok) error = {at, "\\u{...} is not a valid Unicode code point"};
          ok = false;
        } else {
          AppendUtf8(cp, out);
        }
        cp_offset += close - i;
        i = close;
        break;
      }
      default:
        if (ok) {
          error = {at, std::string("unknown escape '\\") + e +
                           "' (known: \\\" \\\\ \\n \\t \\r \\0 \\xHH \\u{HEX}; single-quoted "
                           "strings are raw)"};
        }
        ok = false;
        out += e;
    }
  }
  return ok;
}

}  // namespace vigil::lang
