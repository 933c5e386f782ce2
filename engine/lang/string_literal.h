// Decoding of string literals as written in .vgl files.
#pragma once

#include <string>
#include <string_view>

namespace vigil::lang {

struct UnescapeError {
  size_t offset = 0;  // code points from the opening quote to the bad escape
  std::string message;
};

// `token` is the literal including its quotes. Double-quoted strings understand
// \" \\ \n \t \r \0 \xHH and \u{HEX}; single-quoted ones are raw. Returns false and fills
// `error` on a bad escape (the rest of the string is still decoded into `out`).
bool UnescapeStringLiteral(std::string_view token, std::string& out, UnescapeError& error);

// Appends the UTF-8 encoding of a code point.
void AppendUtf8(uint32_t cp, std::string& out);

}  // namespace vigil::lang
