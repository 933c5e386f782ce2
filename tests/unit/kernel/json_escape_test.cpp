// Hostile strings never break a JSON line: every output parses, is valid UTF-8 and has no raw
// control characters.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "output/json_escape.h"

namespace vigil::output {
namespace {

TEST(JsonEscape, Basics) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString("l1\nl2\t\r"), "\"l1\\nl2\\t\\r\"");
  EXPECT_EQ(JsonString(std::string("\x1b[31m", 5)), "\"\\u001b[31m\"");
  EXPECT_EQ(JsonString(std::string("a\0b", 3)), "\"a\\u0000b\"");
  EXPECT_EQ(JsonString("\x7f"), "\"\\u007f\"");
}

TEST(JsonEscape, Utf8KeptInvalidReplaced) {
  EXPECT_EQ(JsonString("h\xc3\xa9llo \xe2\x9c\x93"), "\"h\xc3\xa9llo \xe2\x9c\x93\"");
  EXPECT_EQ(JsonString("\xff"), "\"\\ufffd\"");
  EXPECT_EQ(JsonString("\xc0\xaf"), "\"\\ufffd\\ufffd\"");                        // overlong '/'
  EXPECT_EQ(JsonString("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");             // surrogate
  EXPECT_EQ(JsonString("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");  // > U+10FFFF
  EXPECT_EQ(JsonString("ab\xe2\x9c"), "\"ab\\ufffd\\ufffd\"");  // truncated sequence
  EXPECT_EQ(JsonString("\xc2\x9b"), "\"\\u009b\"");             // C1 CSI
  EXPECT_EQ(JsonString("\xe2\x80\xa8"), "\"\\u2028\"");
}

TEST(JsonEscape, RandomBytesAlwaysParse) {
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 64, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xff);
    const std::string line = "{\"v\":" + JsonString(s) + "}";
    for (unsigned char c : line) ASSERT_GE(c, 0x20) << "raw control character in output";
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
  }
}

}  // namespace
}  // namespace vigil::output
