// The hand-made token scanner against the lexer ANTLR generates from grammar/Vigil.g4: the same
// tokens, token for token, on every rule file of this checkout, on the corners of each lexer
// rule and on random texts; and it gives up exactly where the generated lexer finds a problem.
#include "lang/token_scanner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "lang/parser.h"

namespace vigil::lang {
namespace {

// A text as a C string literal, for failure messages.
std::string Escaped(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out + "\"";
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(TokenScanner, ReadsEveryRuleFileOfTheCheckoutAsTheGeneratedLexerDoes) {
  size_t files = 0, scanned = 0;
  for (const char* dir : {"rules", "policies", "examples", "tests", "docs"}) {
    const std::filesystem::path root = std::filesystem::path(VIGIL_SOURCE_DIR) / dir;
    if (!std::filesystem::exists(root)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".vgl") continue;
      std::string text = ReadFile(entry.path());
      SanitizeUtf8(text);
      ++files;
      EXPECT_EQ(ScanDifference(text), "") << entry.path();
      if (ScanTokens(text)) ++scanned;
    }
  }
  EXPECT_GT(files, 50u);
  // Test fixtures hold deliberate lexical errors; the rule library and examples have none.
  EXPECT_GT(scanned, files * 3 / 4) << scanned << " of " << files;
  for (const char* dir : {"rules", "policies", "examples"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(
             std::filesystem::path(VIGIL_SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".vgl") continue;
      std::string text = ReadFile(entry.path());
      SanitizeUtf8(text);
      EXPECT_NE(ScanTokens(text), nullptr) << entry.path() << ": the scanner gave up";
    }
  }
}

TEST(TokenScanner, ReadsTheCornersOfEachLexerRule) {
  const std::vector<std::string> texts = {
      "",
      " ",
      "\n\n  \r\n\t\f x",
      "# only a comment",
      "# comment \xc3\xa9\xe2\x82\xac \n rule",
      "list listx list.x list-1 list_ _list List",
      "not note in inside on one exists existsx",
      "proc.name proc.parent.name a.b. a..b a.-b a.1 T1003.008 vigil-e2e-x",
      ".bashrc .a.b .- . .. ... ..x 1..5 1.5 0..0x1",
      "5 5s 5ms 5m 5mx 5mss 5h 5d 5days 5x 12ms3",
      "0 00 0x 0x1F 0xg 0x1Fs 0o 0o7 0o78 0o8 07 -0x1 -5 -5s - -a --1",
      "= == === != !== < <= <<= > >= >== : , [ ] ( ) { } * ! ? ; @ $ % ^ & | ~ ` +",
      "\"\" \"a\" \"a\\\"b\" \"a\\\\\" \"\\n\\t\" \"\\x\" \"\xc3\xa9\\\xc3\xa9\" \"caf\xc3\xa9\"",
      "'' 'a' 'a\\' '\"' '\xe2\x82\xac\xf0\x9f\x98\x80' x",
      "\"unterminated",
      "\"unterminated at the line end\n x",
      "\"escaped newline\\\n\"",
      "'raw unterminated",
      "rule r { when proc.name == \"x\" }\n\xc3\xa9",
      "x\xe2\x82\xacy",
      "\xef\xbb\xbfrule",
      "rule r {\r\n  when proc.name in (a, b) and not evt.type = 'open'\r\n}\r\n",
      "test t { alert open { proc.name: \"x\", evt.retval: -1 } }",
      "a\rb\r\nc\n\rd",
      "\"tab\tinside\" 'tab\tinside'",
      "\"\xf0\x9f\x98\x80\" \xf0\x9f\x98\x80",
  };
  for (const std::string& text : texts) EXPECT_EQ(ScanDifference(text), "") << Escaped(text);
}

// Texts drawn from the characters that start, continue or end tokens, with the keywords and
// punctuation among the pieces: 20,000 of them, each checked token for token.
TEST(TokenScanner, ReadsRandomTextsAsTheGeneratedLexerDoes) {
  const std::vector<std::string> pieces = {"a",
                                           "Z",
                                           "_",
                                           "-",
                                           "0",
                                           "7",
                                           "9",
                                           "x",
                                           "o",
                                           "m",
                                           "s",
                                           "h",
                                           "d",
                                           "f",
                                           ".",
                                           "..",
                                           "\"",
                                           "'",
                                           "\\",
                                           "#",
                                           " ",
                                           "\t",
                                           "\n",
                                           "\r",
                                           "\f",
                                           "=",
                                           "==",
                                           "!",
                                           "!=",
                                           "<",
                                           "<=",
                                           ">",
                                           ">=",
                                           ":",
                                           ",",
                                           "[",
                                           "]",
                                           "(",
                                           ")",
                                           "{",
                                           "}",
                                           "*",
                                           "?",
                                           "rule",
                                           "in",
                                           "list",
                                           "not",
                                           "on",
                                           "ms",
                                           "0x1F",
                                           "\xc3\xa9",
                                           "\xe2\x82\xac",
                                           "\xf0\x9f\x98\x80",
                                           "proc.name",
                                           "true",
                                           "5s"};
  std::mt19937 rng(20261203);
  size_t gave_up = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const size_t n = rng() % 24;
    for (size_t k = 0; k < n; ++k) text += pieces[rng() % pieces.size()];
    const std::string difference = ScanDifference(text);
    ASSERT_EQ(difference, "") << "text: " << Escaped(text);
    if (!ScanTokens(text)) ++gave_up;
  }
  // Both outcomes are exercised: many random texts hold a lexical problem, many do not.
  EXPECT_GT(gave_up, 2000u);
  EXPECT_LT(gave_up, 18000u);
}

}  // namespace
}  // namespace vigil::lang
