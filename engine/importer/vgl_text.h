// Writing .vgl source text from foreign rules: literals and names that the parser reads back
// exactly (engine/lang/string_literal.h is the reading side).
#pragma once

#include <string>
#include <string_view>

namespace vigil::importer {

// A double-quoted vigil string literal holding exactly `text` (any bytes): quotes, backslashes and
// control characters escaped; bytes that are not valid UTF-8 as \xHH.
std::string VglString(std::string_view text);

// A rule, list or macro name made from a foreign title or id: lower case, runs of anything but
// [a-z0-9] become one '_', never empty, never starting with a digit; `prefix` ("sigma_",
// "falco_") goes first.
std::string VglName(std::string_view prefix, std::string_view text);

}  // namespace vigil::importer
