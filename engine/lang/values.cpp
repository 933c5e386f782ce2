#include "lang/values.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vigil::lang {

Status CheckGlob(std::string_view p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      if (i + 1 == p.size()) return Error{"a trailing backslash escapes nothing"};
      ++i;
      continue;
    }
    if (p[i] != '[') continue;
    size_t j = i + 1;
    if (j < p.size() && (p[j] == '!' || p[j] == '^')) ++j;
    if (j < p.size() && p[j] == ']') ++j;  // a leading ] is a literal member
    while (j < p.size() && p[j] != ']') ++j;
    if (j >= p.size()) return Error{"'[' at offset " + std::to_string(i) + " is never closed"};
    if (j == i + 1) return Error{"empty character class '[]'"};
    i = j;
  }
  return OkStatus();
}

bool Cidr::Contains(const IpAddress& a) const {
  unsigned bits = prefix_bits;
  for (size_t i = 0; i < 16 && bits > 0; ++i) {
    unsigned take = bits >= 8 ? 8 : bits;
    uint8_t mask = static_cast<uint8_t>(0xff << (8 - take));
    if ((a.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

Result<Cidr> ParseCidr(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return Error{"expected ADDRESS/BITS, e.g. 10.0.0.0/8"};
  }
  auto addr = ParseIpAddress(text.substr(0, slash));
  if (!addr) {
    return Error{"'" + std::string(text.substr(0, slash)) + "' is not an IP address"};
  }
  bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  std::string_view bits_text = text.substr(slash + 1);
  unsigned bits = 0;
  auto [ptr, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
  unsigned max = v4 ? 32 : 128;
  if (ec != std::errc() || ptr != bits_text.data() + bits_text.size() || bits_text.empty() ||
      bits > max) {
    return Error{"prefix length must be a number from 0 to " + std::to_string(max)};
  }
  return Cidr{*addr, v4 ? bits + 96 : bits};
}

}  // namespace vigil::lang

namespace vigil::lang {
namespace {

// Length of the UTF-8 sequence starting at text[i] (1 for invalid bytes).
size_t Utf8Length(std::string_view text, size_t i) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
  if (i + n > text.size()) return 1;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 1;
  return n;
}

// Matches one byte against the class starting at pattern[p] ('['). Sets *end past ']'.
bool ClassMatches(std::string_view pattern, size_t p, unsigned char c, size_t* end) {
  size_t j = p + 1;
  bool negate = j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^');
  if (negate) ++j;
  bool hit = false;
  bool first = true;
  while (j < pattern.size() && (first || pattern[j] != ']')) {
    first = false;
    unsigned char lo = static_cast<unsigned char>(pattern[j]);
    if (lo == '\\' && j + 1 < pattern.size()) lo = static_cast<unsigned char>(pattern[++j]);
    unsigned char hi = lo;
    if (j + 2 < pattern.size() && pattern[j + 1] == '-' && pattern[j + 2] != ']') {
      hi = static_cast<unsigned char>(pattern[j + 2]);
      j += 2;
    }
    if (c >= lo && c <= hi) hit = true;
    ++j;
  }
  *end = j + 1;  // past ']'
  return hit != negate;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      char pc = pattern[p];
      if (pc == '*') {
        star_p = ++p;
        star_t = t;
        continue;
      }
      if (pc == '?') {
        ++p;
        t += Utf8Length(text, t);
        continue;
      }
      if (pc == '[') {
        size_t end = 0;
        if (ClassMatches(pattern, p, static_cast<unsigned char>(text[t]), &end)) {
          p = end;
          ++t;
          continue;
        }
      } else {
        if (pc == '\\' && p + 1 < pattern.size()) pc = pattern[p + 1];
        if (pc == text[t]) {
          p += pattern[p] == '\\' ? 2 : 1;
          ++t;
          continue;
        }
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace vigil::lang
