// JSON escaping of strings that come from the monitored system (process names, paths,
// arguments): whatever bytes they hold, the result can never break a JSON line. (Terminal
// output uses TerminalSafe, output/terminal_text.h.)
#pragma once

#include <string>
#include <string_view>

namespace vigil::output {

// Appends s as a JSON string literal (with the quotes). Quotes and backslashes are escaped;
// C0 controls, DEL, C1 controls and U+2028/U+2029 become \uXXXX; each byte of invalid UTF-8
// (overlong forms, surrogates, code points above U+10FFFF, truncated sequences) becomes U+FFFD.
void AppendJsonString(std::string& out, std::string_view s);
std::string JsonString(std::string_view s);

}  // namespace vigil::output
