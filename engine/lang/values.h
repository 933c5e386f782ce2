// Validation of literal values whose syntax is richer than a token: globs, IP addresses,
// CIDR blocks. The matchers use the same parsers, so lint and runtime agree.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/ip_address.h"
#include "util/result.h"

namespace vigil::lang {

// Whether `pattern` is a valid glob (*, ?, [set], [!set], \ escapes), or why not.
Status CheckGlob(std::string_view pattern);

// Whether `text` matches the glob `pattern` (valid per CheckGlob). `*` matches any run of
// bytes, '/' included; `?` one UTF-8 character; `[...]` one byte from a set or range
// (`[!...]` or `[^...]` negates); `\` makes the next character literal. Only the last `*`
// is ever backtracked to, so the cost is at worst len(pattern) x len(text), never exponential.
bool GlobMatch(std::string_view pattern, std::string_view text);

// An IPv4 address is stored as its IPv4-mapped IPv6 form (::ffff:a.b.c.d).
inline bool IsIpAddress(std::string_view text) { return ParseIpAddress(text).has_value(); }

struct Cidr {
  IpAddress base;
  unsigned prefix_bits = 0;  // over the 128-bit (mapped) form
  bool Contains(const IpAddress& a) const;
};
// "10.0.0.0/8", "fe80::/10", or why the text is not a CIDR block.
Result<Cidr> ParseCidr(std::string_view text);

}  // namespace vigil::lang
