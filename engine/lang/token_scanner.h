// The tokens of a .vgl file for the parser's fast path, made by hand: the same tokens (type,
// text, line, column, code point offsets) as the lexer ANTLR generates from grammar/Vigil.g4,
// in a small fraction of its time (the generated lexer spent about 80M instructions, a third
// of `vigil replay`'s start-up, on the bundled rules). The grammar stays the definition: the
// keywords and punctuation are read from the generated lexer's vocabulary, and the token
// classes (names, numbers, durations, strings, blanks, comments) follow its lexer rules, which
// tests/unit/lang/token_scanner_test.cpp and the fuzz_lang target check token for token.
#pragma once

#include <TokenSource.h>  // ANTLR's runtime

#include <memory>
#include <string>
#include <string_view>

namespace vigil::lang {

// The tokens of `text` (valid UTF-8: SanitizeUtf8), ending with EOF, as a token source for the
// generated parser; nullptr when one of them would be a lexical problem (an unexpected
// character, an unterminated string), for the generated lexer to find and report.
std::unique_ptr<antlr4::TokenSource> ScanTokens(std::string_view text);

// The check of the scanner against the generated lexer, for tests and fuzzing: the first
// difference between their tokens of `text` (valid UTF-8) in type, text, line, column, offsets
// or channel, or a scanner that gave up on a text without a lexical problem (or did not on one);
// empty when there is none.
std::string ScanDifference(std::string_view text);

}  // namespace vigil::lang
