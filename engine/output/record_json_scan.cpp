#include "output/record_json_scan.h"

#include <simdjson.h>

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "lang/events.h"
#include "util/ip_address.h"

namespace vigil::output {
namespace {

using json_keys::Entry;

// The first byte in [p, end) that ends a run of plain string bytes: a quote, a backslash or a
// control character (which JSON does not allow raw in a string); `end` if none. Reads up to 15
// bytes past `end` (the line's padding).
const char* StringStop(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
                control = _mm_set1_epi8(0x1f);
  for (; p < end; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i stop =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmpeq_epi8(_mm_min_epu8(v, control), v));  // unsigned v <= 0x1f
    if (const int mask = _mm_movemask_epi8(stop); mask != 0) {
      const char* at = p + __builtin_ctz(static_cast<unsigned>(mask));
      return at < end ? at : end;
    }
  }
  return end;
#else
  for (; p < end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\' || c < 0x20) return p;
  }
  return end;
#endif
}

bool Digit(char c) {
  return c >= '0' && c <= '9';
}

// Whether the 8 bytes of `w` (read little-endian from the line) are all ASCII digits: each byte
// has 3 as its high nibble, and adding 6 does not carry out of its low nibble.
bool EightDigits(uint64_t w) {
  constexpr uint64_t kHigh = 0xF0F0F0F0F0F0F0F0, kThrees = 0x3030303030303030;
  return (w & kHigh) == kThrees && ((w + 0x0606060606060606) & kHigh) == kThrees;
}

// The value of 8 digits (EightDigits), the first in the low byte: pairs of digits, then pairs
// of pairs, then the two halves, each step in the lanes of one word.
uint64_t EightDigitsValue(uint64_t w) {
  w -= 0x3030303030303030;
  w = (w * 10 + (w >> 8)) & 0x00FF00FF00FF00FF;
  w = (w * 100 + (w >> 16)) & 0x0000FFFF0000FFFF;
  return (w * 10000 + (w >> 32)) & 0xFFFFFFFF;
}

}  // namespace

bool RecordLineScanner::Read(std::string_view line, const PolicyIndex& policies,
                             match::EventRecord* r) {
  if (!simdjson::validate_utf8(line.data(), line.size())) return false;
  policies_ = &policies;
  r_ = r;
  Cursor c{line.data(), line.data() + line.size()};
  stamp_ = keys_.NextLine();
  type_name_ = {};
  has_type_ = false;
  r->Clear();
  c.SkipBlanks();
  if (c.Peek() != '{' || !Object(0, c)) return false;
  c.SkipBlanks();
  if (c.p != c.end || !has_type_) return false;
  auto type = lang::EventTypeByName(type_name_);
  if (!type) return false;
  r->set_type(*type);
  return true;
}

// At '"': a string's bytes, as a view into the line when it has no escape, else decoded into
// unescaped_. Gives up on \u (its surrogate rules are the reference reader's to apply).
inline bool RecordLineScanner::String(Cursor& c, std::string_view* out) {
  const char* start = ++c.p;
  c.p = StringStop(c.p, c.end);
  if (c.Peek() == '"') {
    *out = std::string_view(start, static_cast<size_t>(c.p - start));
    ++c.p;
    return true;
  }
  Cursor rest = c;  // (c may be a caller's register copy: its address is not taken)
  const bool read = EscapedString(rest, start, out);
  c = rest;
  return read;
}

// The rest of a string that stopped at a backslash or a control character at c.p.
bool RecordLineScanner::EscapedString(Cursor& c, const char* start, std::string_view* out) {
  unescaped_.assign(start, c.p);
  while (c.Peek() == '\\') {
    if (c.p + 1 >= c.end) return false;
    switch (c.p[1]) {
      case '"':
        unescaped_ += '"';
        break;
      case '\\':
        unescaped_ += '\\';
        break;
      case '/':
        unescaped_ += '/';
        break;
      case 'b':
        unescaped_ += '\b';
        break;
      case 'f':
        unescaped_ += '\f';
        break;
      case 'n':
        unescaped_ += '\n';
        break;
      case 'r':
        unescaped_ += '\r';
        break;
      case 't':
        unescaped_ += '\t';
        break;
      default:  // \u, or no escape at all
        return false;
    }
    c.p += 2;
    const char* run = c.p;
    c.p = StringStop(c.p, c.end);
    unescaped_.append(run, c.p);
  }
  if (c.Peek() != '"') return false;  // a control character or the end
  ++c.p;
  *out = unescaped_;
  return true;
}

bool RecordLineScanner::SkipString(Cursor& c) {
  std::string_view ignored;
  return String(c, &ignored);
}

// An integer token: -?(0|[1-9][0-9]*) with no fraction or exponent, its magnitude below 2^64.
// Gives up on -0 (nlohmann reads it as a signed integer, simdjson as 0: the other readers
// settle it) and on anything else.
inline bool RecordLineScanner::Integer(Cursor& c, uint64_t* magnitude, bool* negative) {
  *negative = c.Peek() == '-';
  if (*negative) ++c.p;
  if (!Digit(c.Peek())) return false;
  uint64_t v = 0;
  if (*c.p == '0') {
    ++c.p;
    if (*negative || Digit(c.Peek())) return false;
  } else {
    // Up to 16 digits 8 at a time (below 10^16: no overflow), then one at a time.
    const char* first = c.p;
    for (uint64_t w; c.end - c.p >= 8 && c.p - first < 16; c.p += 8) {
      std::memcpy(&w, c.p, 8);
      if (!EightDigits(w)) break;
      v = v * 100000000 + EightDigitsValue(w);
    }
    for (; Digit(c.Peek()); ++c.p) {
      if (__builtin_mul_overflow(v, 10, &v) ||
          __builtin_add_overflow(v, static_cast<uint64_t>(*c.p - '0'), &v))
        return false;
    }
  }
  const char after = c.Peek();
  if (after == '.' || after == 'e' || after == 'E') return false;
  *magnitude = v;
  return true;
}

inline bool RecordLineScanner::NonNegative(Cursor& c, uint64_t* v) {
  bool negative = false;
  return Integer(c, v, &negative) && !negative;
}

inline bool RecordLineScanner::Cursor::Literal(std::string_view word) {
  if (static_cast<size_t>(end - p) < word.size() || std::string_view(p, word.size()) != word)
    return false;
  p += word.size();
  return true;
}

// At '{': the object's members, each key looked up at `node` and its value read into the
// record; the cursor ends after '}'.
bool RecordLineScanner::Object(uint32_t node, Cursor& in) {
  Cursor c = in;  // in a register: its address is never taken (see String())
  ++c.p;
  c.SkipBlanks();
  if (c.Peek() == '}') {
    in.p = c.p + 1;
    return true;
  }
  json_keys::Node& keys = keys_.nodes[node];
  // The key expected next (the one that followed the previous key last time), and where to
  // note the key that came instead.
  uint32_t expected = keys.first;
  uint32_t* came = &keys.first;
  uint32_t unused = 0;
  for (;;) {
    if (c.Peek() != '"') return false;
    ++c.p;
    json_keys::Node::Slot* slot = nullptr;
    if (expected != json_keys::Node::kNone &&
        json_keys::Node::KeyAt(keys.table[expected], c.p, c.end)) {
      slot = &keys.table[expected];
      c.p += slot->size + 1;
    } else {
      const char* key = c.p;
      c.p = StringStop(c.p, c.end);
      if (c.Peek() != '"') return false;  // an escape in a key, a control character, the end
      const std::string_view name(key, static_cast<size_t>(c.p - key));
      ++c.p;
      slot = keys.FindSlot(name);
      if (slot) {
        *came = static_cast<uint32_t>(slot - keys.table.data());
      } else if (name.find('.') != std::string_view::npos) {
        // RecordFromJson joins keys with dots before looking them up: a dotted key may name
        // a field.
        return false;
      }
    }
    c.SkipBlanks();
    if (c.Peek() != ':') return false;
    ++c.p;
    c.SkipBlanks();
    if (slot == nullptr) {
      Cursor value = c;
      if (!SkipValue(value, 0)) return false;
      c = value;
      expected = json_keys::Node::kNone;
      came = &unused;
    } else {
      expected = slot->next;
      came = &slot->next;
      Entry* e = &slot->entry;
      if (e->stamp == stamp_) return false;  // a duplicate key: nlohmann keeps the last
      e->stamp = stamp_;
      switch (e->kind) {
        case Entry::kString:
        case Entry::kEventType: {
          std::string_view s;
          if (c.Peek() != '"' || !String(c, &s)) return false;
          r_->SetString(e->id, s);
          if (e->kind == Entry::kEventType) {
            type_name_ = r_->String(e->id);
            has_type_ = true;
          }
          break;
        }
        case Entry::kInt: {
          uint64_t magnitude = 0;
          bool negative = false;
          if (!Integer(c, &magnitude, &negative)) return false;
          // simdjson reads 2^63 and above as unsigned: not a signed field's value
          if (magnitude > (negative ? uint64_t{1} << 63 : uint64_t{INT64_MAX})) return false;
          const int64_t v =
              negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
          if (!e->range.Contains(v)) return false;
          r_->SetInt(e->id, v);
          break;
        }
        case Entry::kUint: {
          uint64_t v = 0;
          if (!NonNegative(c, &v) || !e->range.Contains(v)) return false;
          r_->SetUint(e->id, v);
          break;
        }
        case Entry::kBool: {
          bool v = false;
          if (!c.Bool(&v)) return false;
          r_->SetBool(e->id, v);
          break;
        }
        case Entry::kAddress: {
          std::string_view s;
          if (c.Peek() != '"' || !String(c, &s)) return false;
          auto a = ParseIpAddress(s);
          if (!a) return false;
          r_->SetAddress(e->id, *a);
          break;
        }
        case Entry::kStringList: {
          Cursor list = c;
          if (!StringList(list, e->id)) return false;
          c = list;
          break;
        }
        case Entry::kIndexed:
          return false;
        case Entry::kNamespace: {
          Cursor inner = c;
          if (c.Peek() != '{' || !Object(e->child, inner)) return false;
          c = inner;
          break;
        }
        case Entry::kIncomplete: {
          bool v = false;
          if (!c.Bool(&v)) return false;
          r_->set_incomplete(v);
          break;
        }
        case Entry::kPolicyVersion: {
          uint64_t v = 0;
          if (!NonNegative(c, &v) || v > UINT32_MAX) return false;
          r_->set_policy_version(static_cast<uint32_t>(v));
          break;
        }
        case Entry::kPolicies: {
          Cursor list = c;
          if (!Policies(list)) return false;
          c = list;
          break;
        }
      }
    }
    switch (c.Separator('}')) {
      case Cursor::After::kMore:
        break;
      case Cursor::After::kEnd:
        in.p = c.p;
        return true;
      case Cursor::After::kBad:
        return false;
    }
  }
}

template <typename Each>
bool RecordLineScanner::StringArray(Cursor& c, Each&& each) {
  if (c.Peek() != '[') return false;
  ++c.p;
  c.SkipBlanks();
  if (c.Peek() == ']') {
    ++c.p;
    return true;
  }
  for (;;) {
    std::string_view s;
    if (c.Peek() != '"' || !String(c, &s)) return false;
    each(s);
    const auto after = c.Separator(']');
    if (after != Cursor::After::kMore) return after == Cursor::After::kEnd;
  }
}

// At '[': an array of strings into the list field `id`.
bool RecordLineScanner::StringList(Cursor& c, lang::FieldId id) {
  r_->ClearList(id);
  return StringArray(c, [&](std::string_view s) { r_->AppendToList(id, s); });
}

// `policies`: a bit set, or the names of policies (those the index does not know are left out).
bool RecordLineScanner::Policies(Cursor& c) {
  uint64_t bits = 0;
  if (c.Peek() == '[') {
    if (!StringArray(c, [&](std::string_view name) {
          if (auto p = policies_->find(name); p != policies_->end())
            bits |= uint64_t{1} << p->second;
        }))
      return false;
  } else if (!NonNegative(c, &bits)) {
    return false;
  }
  r_->set_policies(bits);
  return true;
}

// The value of a key no field has, checked and passed over: strings, 64-bit integers, the
// literals, and arrays and objects of them a few levels deep.
bool RecordLineScanner::SkipValue(Cursor& c, int depth) {
  constexpr int kMaxDepth = 16;
  switch (c.Peek()) {
    case '"':
      return SkipString(c);
    case 't':
      return c.Literal("true");
    case 'f':
      return c.Literal("false");
    case 'n':
      return c.Literal("null");
    case '[':
    case '{': {
      const bool object = *c.p == '{';
      const char close = object ? '}' : ']';
      if (depth >= kMaxDepth) return false;
      ++c.p;
      c.SkipBlanks();
      if (c.Peek() == close) {
        ++c.p;
        return true;
      }
      for (;;) {
        if (object) {
          if (c.Peek() != '"' || !SkipString(c)) return false;
          c.SkipBlanks();
          if (c.Peek() != ':') return false;
          ++c.p;
          c.SkipBlanks();
        }
        if (!SkipValue(c, depth + 1)) return false;
        const auto after = c.Separator(close);
        if (after != Cursor::After::kMore) return after == Cursor::After::kEnd;
      }
    }
    default: {
      uint64_t magnitude = 0;
      bool negative = false;
      return Integer(c, &magnitude, &negative);
    }
  }
}

}  // namespace vigil::output
