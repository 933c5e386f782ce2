// Makes text safe to print on a terminal: control characters (escape sequences, carriage
// returns, newlines) become visible \xHH escapes, and invalid UTF-8 becomes U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace vigil::output {

std::string TerminalSafe(std::string_view text);

}  // namespace vigil::output
