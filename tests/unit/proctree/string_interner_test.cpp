#include "proctree/string_interner.h"

#include <gtest/gtest.h>

namespace vigil::proctree {
namespace {

TEST(StringInternerTest, EqualTextsShareOneEntry) {
  StringInterner interner;
  Interned a = interner.Intern("/usr/bin/bash");
  Interned b = interner.Intern(std::string("/usr/bin/") + "bash");
  EXPECT_TRUE(a.SameAs(b));
  EXPECT_EQ(a.view(), "/usr/bin/bash");
  EXPECT_EQ(interner.stats().entries, 1u);
  EXPECT_EQ(interner.stats().bytes, 13u);
}

TEST(StringInternerTest, LastHandleFreesTheText) {
  StringInterner interner;
  {
    Interned a = interner.Intern("x");
    Interned copy = a;
    Interned moved = std::move(copy);
    EXPECT_EQ(interner.stats().entries, 1u);
    a = interner.Intern("y");
    EXPECT_EQ(interner.stats().entries, 2u);
  }
  EXPECT_EQ(interner.stats().entries, 0u);
  EXPECT_EQ(interner.stats().bytes, 0u);
}

TEST(StringInternerTest, SelfAssignmentKeepsTheText) {
  StringInterner interner;
  Interned a = interner.Intern("keep");
  Interned& alias = a;
  a = alias;
  EXPECT_EQ(a.view(), "keep");
  EXPECT_EQ(interner.stats().entries, 1u);
}

TEST(StringInternerTest, EmptyAndBinaryTexts) {
  StringInterner interner;
  Interned empty = interner.Intern("");
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(interner.stats().entries, 0u);
  std::string binary("a\0b\n\xff", 5);
  Interned b = interner.Intern(binary);
  EXPECT_EQ(b.view(), binary);
  EXPECT_FALSE(b.SameAs(interner.Intern("a")));
}

TEST(StringInternerTest, LongTextsAreCutAndCounted) {
  StringInterner interner(8);
  Interned a = interner.Intern("0123456789");
  EXPECT_EQ(a.view(), "01234567");
  EXPECT_EQ(interner.stats().truncated, 1u);
  EXPECT_TRUE(a.SameAs(interner.Intern("01234567")));
}

}  // namespace
}  // namespace vigil::proctree
