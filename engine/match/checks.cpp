#include "match/checks.h"

#include <algorithm>

namespace vigil::match {
namespace {

char LowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool StringTest(StringOp op, std::string_view v, std::string_view c) {
  switch (op) {
    case StringOp::kEq:
      return v == c;
    case StringOp::kContains:
      return v.find(c) != std::string_view::npos;
    case StringOp::kIContains:
      return ContainsIgnoreCase(v, c);
    case StringOp::kStartsWith:
      return v.starts_with(c);
    case StringOp::kEndsWith:
      return v.ends_with(c);
  }
  return false;
}

bool NumberTest(NumberOp op, Wide v, Wide c) {
  switch (op) {
    case NumberOp::kEq:
      return v == c;
    case NumberOp::kLt:
      return v < c;
    case NumberOp::kLe:
      return v <= c;
    case NumberOp::kGt:
      return v > c;
    case NumberOp::kGe:
      return v >= c;
  }
  return false;
}

std::string SetPreview(const StringSet& set) {
  std::vector<std::string> sorted(set.begin(), set.end());
  std::sort(sorted.begin(), sorted.end());
  std::string out = "{";
  for (size_t i = 0; i < sorted.size() && i < 4; ++i)
    out += (i ? ", " : "") + QuoteForDescribe(sorted[i]);
  if (sorted.size() > 4) out += ", ... " + std::to_string(sorted.size() - 4) + " more";
  return out + "}";
}

}  // namespace

const char* StringOpName(StringOp op) {
  switch (op) {
    case StringOp::kEq:
      return "==";
    case StringOp::kContains:
      return "contains";
    case StringOp::kIContains:
      return "icontains";
    case StringOp::kStartsWith:
      return "startswith";
    case StringOp::kEndsWith:
      return "endswith";
  }
  return "?";
}

const char* NumberOpName(NumberOp op) {
  switch (op) {
    case NumberOp::kEq:
      return "==";
    case NumberOp::kLt:
      return "<";
    case NumberOp::kLe:
      return "<=";
    case NumberOp::kGt:
      return ">";
    case NumberOp::kGe:
      return ">=";
  }
  return "?";
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view lower_needle) {
  if (lower_needle.empty()) return true;
  if (lower_needle.size() > haystack.size()) return false;
  const char first = lower_needle[0];
  for (size_t i = 0; i + lower_needle.size() <= haystack.size(); ++i) {
    if (LowerAscii(haystack[i]) != first) continue;
    size_t k = 1;
    while (k < lower_needle.size() && LowerAscii(haystack[i + k]) == lower_needle[k]) ++k;
    if (k == lower_needle.size()) return true;
  }
  return false;
}

std::string QuoteForDescribe(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string WideToString(Wide v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u =
      neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string out;
  while (u > 0) {
    out += static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (neg) out += '-';
  std::reverse(out.begin(), out.end());
  return out;
}

// ---- strings ----------------------------------------------------------------------------

StringCheck::StringCheck(Operand lhs, StringOp op, std::string constant)
    : OperandCheck(
          std::move(lhs),
          op == StringOp::kEq || op == StringOp::kStartsWith || op == StringOp::kEndsWith ? 2 : 5),
      op_(op),
      constant_(std::move(constant)) {
  if (op_ == StringOp::kIContains)
    for (char& c : constant_) c = LowerAscii(c);
}

bool StringCheck::Eval(const EventRecord& r, EvalScratch& s) const {
  std::string_view v;
  return ReadString(lhs_, r, s.lhs, &v) && StringTest(op_, v, constant_);
}

std::string StringCheck::Describe() const {
  return lhs_.Describe() + " " + StringOpName(op_) + " " + QuoteForDescribe(constant_);
}

StringFieldCheck::StringFieldCheck(Operand lhs, StringOp op, Operand rhs)
    : OperandPairCheck(std::move(lhs), std::move(rhs), 6), op_(op) {}

bool StringFieldCheck::Eval(const EventRecord& r, EvalScratch& s) const {
  std::string_view a, b;
  if (!ReadString(lhs_, r, s.lhs, &a) || !ReadString(rhs_, r, s.rhs, &b)) return false;
  if (op_ != StringOp::kIContains) return StringTest(op_, a, b);
  for (char& c : s.rhs.assign(b)) c = LowerAscii(c);
  return ContainsIgnoreCase(a, s.rhs);
}

std::string StringFieldCheck::Describe() const {
  return lhs_.Describe() + " " + StringOpName(op_) + " " + rhs_.Describe();
}

GlobCheck::GlobCheck(Operand lhs, std::string pattern)
    : OperandCheck(std::move(lhs), 8), pattern_(std::move(pattern)) {}

bool GlobCheck::Eval(const EventRecord& r, EvalScratch& s) const {
  std::string_view v;
  return ReadString(lhs_, r, s.lhs, &v) && lang::GlobMatch(pattern_, v);
}

std::string GlobCheck::Describe() const {
  return lhs_.Describe() + " glob " + QuoteForDescribe(pattern_);
}

Result<std::unique_ptr<RegexCheck>> RegexCheck::Make(Operand lhs, const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) return Error{re->error()};
  return std::unique_ptr<RegexCheck>(new RegexCheck(std::move(lhs), std::move(re)));
}

bool RegexCheck::Eval(const EventRecord& r, EvalScratch& s) const {
  std::string_view v;
  return ReadString(lhs_, r, s.lhs, &v) && RE2::PartialMatch(v, *re_);
}

std::string RegexCheck::Describe() const {
  return lhs_.Describe() + " matches " + QuoteForDescribe(re_->pattern()) + " (RE2)";
}

namespace {

FlatStringMap FlatIndexOf(const StringSet& members) {
  FlatStringMap index;
  for (const auto& m : members) index.Insert(m, 0);
  return index;
}

}  // namespace

StringSetCheck::StringSetCheck(Operand lhs, StringSet members)
    : OperandCheck(std::move(lhs), 3),
      members_(std::move(members)),
      index_(FlatIndexOf(members_)) {}

bool StringSetCheck::Eval(const EventRecord& r, EvalScratch& s) const {
  std::string_view v;
  return ReadString(lhs_, r, s.lhs, &v) && index_.Find(v) != FlatStringMap::kAbsent;
}

std::string StringSetCheck::Describe() const {
  return lhs_.Describe() + " in hash-set(" + std::to_string(members_.size()) + ") " +
         SetPreview(members_);
}

AffixSetCheck::AffixSetCheck(Operand lhs, bool suffix, const std::vector<std::string>& members)
    : OperandCheck(std::move(lhs), 3), suffix_(suffix), trie_(suffix), members_(members) {
  for (const auto& m : members) trie_.Insert(m);
}

bool AffixSetCheck::Eval(const EventRecord& r, EvalScratch& s) const {
  std::string_view v;
  return ReadString(lhs_, r, s.lhs, &v) && trie_.Match(v);
}

std::string AffixSetCheck::Describe() const {
  return lhs_.Describe() + (suffix_ ? " endswith" : " startswith") + " one of trie(" +
         std::to_string(trie_.size()) + ")";
}

// ---- numbers ----------------------------------------------------------------------------

NumberCheck::NumberCheck(Operand lhs, NumberOp op, Wide constant)
    : OperandCheck(std::move(lhs), 1), op_(op), constant_(constant) {}

bool NumberCheck::Eval(const EventRecord& r, EvalScratch&) const {
  Wide v;
  return ReadNumber(lhs_, r, &v) && NumberTest(op_, v, constant_);
}

std::string NumberCheck::Describe() const {
  return lhs_.Describe() + " " + NumberOpName(op_) + " " + WideToString(constant_);
}

NumberFieldCheck::NumberFieldCheck(Operand lhs, NumberOp op, Operand rhs)
    : OperandPairCheck(std::move(lhs), std::move(rhs), 1), op_(op) {}

bool NumberFieldCheck::Eval(const EventRecord& r, EvalScratch&) const {
  Wide a, b;
  return ReadNumber(lhs_, r, &a) && ReadNumber(rhs_, r, &b) && NumberTest(op_, a, b);
}

std::string NumberFieldCheck::Describe() const {
  return lhs_.Describe() + " " + NumberOpName(op_) + " " + rhs_.Describe();
}

NumberSetCheck::NumberSetCheck(Operand lhs, std::vector<Wide> values,
                               std::vector<std::pair<Wide, Wide>> ranges)
    : OperandCheck(std::move(lhs), 2), values_(std::move(values)), ranges_(std::move(ranges)) {
  std::sort(values_.begin(), values_.end());
  values_.erase(std::unique(values_.begin(), values_.end()), values_.end());
}

bool NumberSetCheck::Eval(const EventRecord& r, EvalScratch&) const {
  Wide v;
  if (!ReadNumber(lhs_, r, &v)) return false;
  if (std::binary_search(values_.begin(), values_.end(), v)) return true;
  for (const auto& [lo, hi] : ranges_)
    if (v >= lo && v <= hi) return true;
  return false;
}

std::string NumberSetCheck::Describe() const {
  std::string out = lhs_.Describe() + " in {";
  size_t shown = 0;
  for (Wide v : values_) {
    if (shown == 6) break;
    out += (shown++ ? ", " : "") + WideToString(v);
  }
  for (const auto& [lo, hi] : ranges_) {
    if (shown == 6) break;
    out += (shown++ ? ", " : "") + WideToString(lo) + ".." + WideToString(hi);
  }
  size_t total = values_.size() + ranges_.size();
  if (total > shown) out += ", ... " + std::to_string(total - shown) + " more";
  return out + "}";
}

FlagsCheck::FlagsCheck(Operand lhs, bool any, std::vector<FlagTest> tests)
    : OperandCheck(std::move(lhs), 1), any_(any), tests_(std::move(tests)) {}

bool FlagsCheck::Eval(const EventRecord& r, EvalScratch&) const {
  Wide w;
  if (!ReadNumber(lhs_, r, &w)) return false;
  uint64_t v = static_cast<uint64_t>(w);
  for (const auto& t : tests_) {
    bool hit = (v & t.mask) == t.bits;
    if (hit == any_) return any_;
  }
  return !any_;
}

std::string FlagsCheck::Describe() const {
  std::string out = lhs_.Describe() + (any_ ? " has any of [" : " has all of [");
  for (size_t i = 0; i < tests_.size(); ++i) out += (i ? ", " : "") + tests_[i].name;
  return out + "]";
}

BoolCheck::BoolCheck(Operand lhs, bool expected)
    : OperandCheck(std::move(lhs), 1), expected_(expected) {}

bool BoolCheck::Eval(const EventRecord& r, EvalScratch&) const {
  Wide v;
  return ReadNumber(lhs_, r, &v) && (v != 0) == expected_;
}

std::string BoolCheck::Describe() const {
  return lhs_.Describe() + (expected_ ? " is true" : " is false");
}

// ---- addresses and lists ----------------------------------------------------------------

AddressSetCheck::AddressSetCheck(Operand lhs, std::vector<lang::Cidr> blocks, std::string text)
    : OperandCheck(std::move(lhs), 2), blocks_(std::move(blocks)), text_(std::move(text)) {}

bool AddressSetCheck::Eval(const EventRecord& r, EvalScratch&) const {
  if (!lhs_.Present(r)) return false;
  const IpAddress& a = r.Address(lhs_.field);
  for (const auto& b : blocks_)
    if (b.Contains(a)) return true;
  return false;
}

std::string AddressSetCheck::Describe() const {
  return lhs_.Describe() + " in " + text_;
}

AddressFieldCheck::AddressFieldCheck(Operand lhs, Operand rhs)
    : OperandPairCheck(std::move(lhs), std::move(rhs), 1) {}

bool AddressFieldCheck::Eval(const EventRecord& r, EvalScratch&) const {
  return lhs_.Present(r) && rhs_.Present(r) &&
         r.Address(lhs_.field).bytes == r.Address(rhs_.field).bytes;
}

std::string AddressFieldCheck::Describe() const {
  return lhs_.Describe() + " == " + rhs_.Describe();
}

ListCheck::ListCheck(Operand lhs, StringSet members, bool intersects)
    : OperandCheck(std::move(lhs), 5),
      members_(std::move(members)),
      index_(FlatIndexOf(members_)),
      intersects_(intersects) {}

bool ListCheck::Eval(const EventRecord& r, EvalScratch&) const {
  if (!lhs_.Present(r)) return false;
  for (const auto& item : r.List(lhs_.field))
    if (index_.Find(item) != FlatStringMap::kAbsent) return true;
  return false;
}

std::string ListCheck::Describe() const {
  return lhs_.Describe() + (intersects_ ? " intersects " : " contains one of ") +
         SetPreview(members_);
}

// ---- hints for the kernel's argument prefilter ------------------------------------------

namespace {

bool PlainOperand(const Operand& op) {
  return op.index < 0 && op.key.empty() && op.transforms.empty();
}

// A hint of `kind` on the operand's field; none when the operand is not a plain field.
CheckHint FieldHint(const Operand& op, CheckHint::Kind kind) {
  CheckHint h;
  if (!PlainOperand(op)) return h;
  h.kind = kind;
  h.field = op.field;
  return h;
}

CheckHint StringsHint(const Operand& op, CheckHint::Kind kind, std::vector<std::string> strings) {
  CheckHint h = FieldHint(op, kind);
  if (h.kind != CheckHint::Kind::kNone) h.strings = std::move(strings);
  return h;
}

}  // namespace

CheckHint StringCheck::Hint() const {
  switch (op_) {
    case StringOp::kEq:
      return StringsHint(lhs_, CheckHint::Kind::kEquals, {constant_});
    case StringOp::kStartsWith:
      return StringsHint(lhs_, CheckHint::Kind::kPrefix, {constant_});
    case StringOp::kEndsWith:
      return StringsHint(lhs_, CheckHint::Kind::kSuffix, {constant_});
    default:
      return {};
  }
}

CheckHint StringSetCheck::Hint() const {
  return StringsHint(lhs_, CheckHint::Kind::kEquals, {members_.begin(), members_.end()});
}

CheckHint AffixSetCheck::Hint() const {
  return StringsHint(lhs_, suffix_ ? CheckHint::Kind::kSuffix : CheckHint::Kind::kPrefix, members_);
}

CheckHint RegexCheck::Hint() const {
  CheckHint h = StringsHint(lhs_, CheckHint::Kind::kRegex, {});
  if (h.kind != CheckHint::Kind::kNone) h.pattern = re_->pattern();
  return h;
}

CheckHint FlagsCheck::Hint() const {
  CheckHint h = FieldHint(lhs_, CheckHint::Kind::kFlags);
  if (h.kind == CheckHint::Kind::kNone) return h;
  h.any = any_;
  for (const auto& t : tests_) h.flag_tests.emplace_back(t.mask, t.bits);
  return h;
}

CheckHint BoolCheck::Hint() const {
  CheckHint h = FieldHint(lhs_, CheckHint::Kind::kBool);
  h.expected = expected_;
  return h;
}

}  // namespace vigil::match
