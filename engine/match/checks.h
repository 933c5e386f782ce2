// The predicates a compiled rule evaluates: one class per (operator family, operand type),
// each holding its constant side in the form that makes the test cheap (hash sets, tries,
// RE2 objects compiled once, 128-bit integers, flag masks, CIDR blocks).
//
// Every check is a positive test: it is false when its operand is absent. The compiler
// builds `!=` and `not in` as `not` over `==` and `in`, so those are true on an absent field
// (a missing field never matches a positive test; docs/matching.md).
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "lang/values.h"
#include "match/event_record.h"
#include "match/operand.h"
#include "match/string_hash.h"
#include "match/string_trie.h"

namespace vigil::match {

// Buffers that transformers write into during one evaluation, and the candidate bitmap of
// RuleSet::Evaluate (never shared across threads).
struct EvalScratch {
  std::string lhs, rhs;
  std::vector<uint64_t> candidates;
};

// What a check on a plain field (no transformer, index or key) requires of an event when it
// holds, for the kernel's argument prefilter (compile/prefilter.h). kNone: nothing usable.
struct CheckHint {
  enum class Kind : uint8_t { kNone, kEquals, kPrefix, kSuffix, kRegex, kFlags, kBool };
  Kind kind = Kind::kNone;
  lang::FieldId field{};
  std::vector<std::string> strings;                       // kEquals (any of), kPrefix, kSuffix
  std::string pattern;                                    // kRegex (RE2, unanchored search)
  std::vector<std::pair<uint64_t, uint64_t>> flag_tests;  // kFlags: (mask, bits)
  bool any = false;                                       // kFlags: some test (else every test)
  bool expected = false;                                  // kBool
};

class Check {
 public:
  virtual ~Check() = default;
  virtual CheckHint Hint() const { return {}; }
  virtual bool Eval(const EventRecord& r, EvalScratch& s) const = 0;
  // One line for `vigil compile --explain`: proc.name in hash-set(7).
  virtual std::string Describe() const = 0;
  // The operands it reads; a check whose operand's field an event type never carries is
  // folded to false for that type.
  virtual std::vector<const Operand*> Operands() const = 0;
  // Rough relative cost of one evaluation; the compiler evaluates cheap tests first.
  virtual int Cost() const { return 1; }
};

// What every check on one operand shares: the operand it reads and its cost.
class OperandCheck : public Check {
 public:
  std::vector<const Operand*> Operands() const final { return {&lhs_}; }
  int Cost() const final { return cost_; }

 protected:
  OperandCheck(Operand lhs, int cost) : lhs_(std::move(lhs)), cost_(cost) {}
  Operand lhs_;

 private:
  int cost_;
};

// What every check comparing two operands shares.
class OperandPairCheck : public Check {
 public:
  std::vector<const Operand*> Operands() const final { return {&lhs_, &rhs_}; }
  int Cost() const final { return cost_; }

 protected:
  OperandPairCheck(Operand lhs, Operand rhs, int cost)
      : lhs_(std::move(lhs)), rhs_(std::move(rhs)), cost_(cost) {}
  Operand lhs_, rhs_;

 private:
  int cost_;
};

enum class StringOp { kEq, kContains, kIContains, kStartsWith, kEndsWith };
enum class NumberOp { kEq, kLt, kLe, kGt, kGe };
const char* StringOpName(StringOp op);
const char* NumberOpName(NumberOp op);

// field OP "constant"
class StringCheck final : public OperandCheck {
 public:
  StringCheck(Operand lhs, StringOp op, std::string constant);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;
  CheckHint Hint() const override;

 private:
  StringOp op_;
  std::string constant_;  // lowercased for icontains
};

// field OP other_field (both strings, transformers allowed on both sides)
class StringFieldCheck final : public OperandPairCheck {
 public:
  StringFieldCheck(Operand lhs, StringOp op, Operand rhs);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;

 private:
  StringOp op_;
};

class GlobCheck final : public OperandCheck {
 public:
  GlobCheck(Operand lhs, std::string pattern);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;

 private:
  std::string pattern_;
};

// RE2, compiled once; `matches` searches (unanchored): write ^...$ to match the whole text.
class RegexCheck final : public OperandCheck {
 public:
  // The check, or RE2's reason when the pattern does not compile.
  static Result<std::unique_ptr<RegexCheck>> Make(Operand lhs, const std::string& pattern);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;
  CheckHint Hint() const override;

 private:
  RegexCheck(Operand lhs, std::unique_ptr<RE2> re)
      : OperandCheck(std::move(lhs), 20), re_(std::move(re)) {}
  std::unique_ptr<RE2> re_;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return HashBytes(s); }
};
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

// field in [strings]  (also: several `field == "x"` alternatives merged by the compiler)
class StringSetCheck final : public OperandCheck {
 public:
  StringSetCheck(Operand lhs, StringSet members);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;
  CheckHint Hint() const override;

 private:
  StringSet members_;
  FlatStringMap index_;  // members_, looked up on one flat slot array
};

// Several `field startswith "x"` (or endswith) alternatives, merged into one trie.
class AffixSetCheck final : public OperandCheck {
 public:
  AffixSetCheck(Operand lhs, bool suffix, const std::vector<std::string>& members);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;
  CheckHint Hint() const override;

 private:
  bool suffix_;
  StringTrie trie_;
  std::vector<std::string> members_;  // for Hint
};

// number OP constant (int, uint, flags compared whole, bool, len())
class NumberCheck final : public OperandCheck {
 public:
  NumberCheck(Operand lhs, NumberOp op, Wide constant);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;

 private:
  NumberOp op_;
  Wide constant_;
};

class NumberFieldCheck final : public OperandPairCheck {
 public:
  NumberFieldCheck(Operand lhs, NumberOp op, Operand rhs);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;

 private:
  NumberOp op_;
};

// number in [values and lo..hi ranges]
class NumberSetCheck final : public OperandCheck {
 public:
  NumberSetCheck(Operand lhs, std::vector<Wide> values, std::vector<std::pair<Wide, Wide>> ranges);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;

 private:
  std::vector<Wide> values_;  // sorted, unique
  std::vector<std::pair<Wide, Wide>> ranges_;
};

// One flag as a test on the value: (value & mask) == bits. For most flags mask == bits; the
// open(2) access modes (O_RDONLY 0, O_WRONLY 1, O_RDWR 2) are a 2-bit field, mask O_ACCMODE.
struct FlagTest {
  uint64_t mask = 0;
  uint64_t bits = 0;
  std::string name;  // for Describe
};

// flags contains FLAG (every test holds) / flags intersects [FLAGS] (some test holds)
class FlagsCheck final : public OperandCheck {
 public:
  FlagsCheck(Operand lhs, bool any, std::vector<FlagTest> tests);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;
  CheckHint Hint() const override;

 private:
  bool any_;
  std::vector<FlagTest> tests_;
};

// A bare boolean field, or `field == true/false`.
class BoolCheck final : public OperandCheck {
 public:
  BoolCheck(Operand lhs, bool expected);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;
  CheckHint Hint() const override;

 private:
  bool expected_;
};

// address == constant / address in [cidr(...), "addr"]: both become CIDR blocks.
class AddressSetCheck final : public OperandCheck {
 public:
  AddressSetCheck(Operand lhs, std::vector<lang::Cidr> blocks, std::string text);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;

 private:
  std::vector<lang::Cidr> blocks_;
  std::string text_;  // as written, for Describe
};

class AddressFieldCheck final : public OperandPairCheck {
 public:
  AddressFieldCheck(Operand lhs, Operand rhs);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;

 private:
};

// list contains "x" (some element equals) / list intersects [..] (some element is a member)
class ListCheck final : public OperandCheck {
 public:
  ListCheck(Operand lhs, StringSet members, bool intersects);
  bool Eval(const EventRecord& r, EvalScratch& s) const override;
  std::string Describe() const override;

 private:
  StringSet members_;
  FlatStringMap index_;  // members_, looked up on one flat slot array
  bool intersects_;
};

class ExistsCheck final : public OperandCheck {
 public:
  explicit ExistsCheck(Operand lhs) : OperandCheck(std::move(lhs), 1) {}
  bool Eval(const EventRecord& r, EvalScratch&) const override { return lhs_.Present(r); }
  std::string Describe() const override { return "exists " + lhs_.Describe(); }

 private:
};

// Text helpers shared with the tests.
bool ContainsIgnoreCase(std::string_view haystack, std::string_view lower_needle);
std::string QuoteForDescribe(std::string_view s);
std::string WideToString(Wide v);

}  // namespace vigil::match
