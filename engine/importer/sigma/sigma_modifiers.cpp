#include "importer/sigma/sigma_modifiers.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "util/ip_address.h"

namespace vigil::importer::sigma {
namespace {

std::string LowerAscii(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

enum class Encoding { kNone, kUtf16Le, kUtf16Be, kUtf16Bom };

struct Modifiers {
  Op op = Op::kEq;
  bool all = false;
  bool cased = false;
  bool windash = false;
  bool base64 = false;
  bool base64offset = false;
  Encoding encoding = Encoding::kNone;
  std::string re_flags;  // i, m, s
};

Result<Modifiers> ParseModifiers(const std::vector<std::string>& mods) {
  Modifiers m;
  bool have_op = false;
  auto set_op = [&](Op op, const std::string& name) -> Status {
    if (have_op && m.op != op)
      return Error{"modifiers '" + name + "' and another comparison cannot be combined"};
    m.op = op;
    have_op = true;
    return OkStatus();
  };
  for (const auto& raw : mods) {
    std::string mod = LowerAscii(raw);
    Status st = OkStatus();
    if (mod == "contains")
      st = set_op(Op::kContains, mod);
    else if (mod == "startswith")
      st = set_op(Op::kStartsWith, mod);
    else if (mod == "endswith")
      st = set_op(Op::kEndsWith, mod);
    else if (mod == "re")
      st = set_op(Op::kRegex, mod);
    else if (mod == "cidr")
      st = set_op(Op::kCidr, mod);
    else if (mod == "exists")
      st = set_op(Op::kExists, mod);
    else if (mod == "gt")
      st = set_op(Op::kGt, mod);
    else if (mod == "gte")
      st = set_op(Op::kGe, mod);
    else if (mod == "lt")
      st = set_op(Op::kLt, mod);
    else if (mod == "lte")
      st = set_op(Op::kLe, mod);
    else if (mod == "all")
      m.all = true;
    else if (mod == "cased")
      m.cased = true;
    else if (mod == "windash")
      m.windash = true;
    else if (mod == "base64")
      m.base64 = true;
    else if (mod == "base64offset")
      m.base64offset = true;
    else if (mod == "utf16le" || mod == "wide")
      m.encoding = Encoding::kUtf16Le;
    else if (mod == "utf16be")
      m.encoding = Encoding::kUtf16Be;
    else if (mod == "utf16")
      m.encoding = Encoding::kUtf16Bom;
    else if (mod == "i" || mod == "m" || mod == "s")
      m.re_flags += mod;
    else if (mod == "fieldref")
      return Error{
          "unsupported modifier 'fieldref': vigil compares a field with values, not "
          "with another field of the same event"};
    else if (mod == "expand")
      return Error{
          "unsupported modifier 'expand': its placeholders are filled per site, from "
          "a pipeline vigil does not have"};
    else
      return Error{"unsupported modifier '" + raw + "'"};
    if (!st) return Error{st.error()};
  }
  if (!m.re_flags.empty() && m.op != Op::kRegex)
    return Error{"modifier '" + m.re_flags.substr(0, 1) + "' applies to 're' only"};
  if ((m.base64 || m.base64offset) && m.op == Op::kRegex)
    return Error{"modifiers 'base64' and 're' cannot be combined"};
  if (m.encoding != Encoding::kNone && !m.base64 && !m.base64offset)
    return Error{"modifier utf16/wide without base64: vigil's Linux events are not UTF-16"};
  return m;
}

// UTF-8 to UTF-16 code units (invalid bytes are taken as Latin-1).
std::vector<uint16_t> Utf16(const std::string& s) {
  std::vector<uint16_t> out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t n = 1;
    if (c >= 0xF0 && i + 3 < s.size()) {
      cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
           (s[i + 3] & 0x3Fu);
      n = 4;
    } else if (c >= 0xE0 && i + 2 < s.size()) {
      cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      n = 3;
    } else if (c >= 0xC0 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
      n = 2;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<uint16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<uint16_t>(cp));
    }
    i += n;
  }
  return out;
}

std::string Encode(const std::string& s, Encoding e) {
  if (e == Encoding::kNone) return s;
  std::string out;
  if (e == Encoding::kUtf16Bom) out += "\xFF\xFE";
  for (uint16_t u : Utf16(s)) {
    char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
    if (e == Encoding::kUtf16Be) {
      out += hi;
      out += lo;
    } else {
      out += lo;
      out += hi;
    }
  }
  return out;
}

Result<int64_t> ParseInt(const std::string& text, const std::string& field) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size())
    return Error{"value '" + text + "' of " + field + " is not a whole number"};
  return v;
}

std::string EscapeGlob(char c) {
  if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') return std::string("\\") + c;
  return std::string(1, c);
}

}  // namespace

WildcardValue ParseWildcards(const std::string& value) {
  WildcardValue w;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\' && i + 1 < value.size() &&
        (value[i + 1] == '*' || value[i + 1] == '?' || value[i + 1] == '\\')) {
      w.literal += value[i + 1];
      w.glob += EscapeGlob(value[i + 1]);
      ++i;
    } else if (c == '*' || c == '?') {
      w.has_wildcards = true;
      w.glob += c;
    } else {
      w.literal += c;
      w.glob += EscapeGlob(c);
    }
  }
  return w;
}

std::string Base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int k = 3; k >= 0; --k) out += kAlphabet[(v >> (6 * k)) & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// The three encodings of `bytes` at offsets 0, 1 and 2 of a longer base64 text, without the
// characters that depend on the bytes around it (as Sigma's base64offset).
std::vector<std::string> Base64Offsets(const std::string& bytes) {
  static const size_t kStart[3] = {0, 2, 3};
  static const int kEnd[3] = {0, -3, -2};  // 0: to the end
  std::vector<std::string> out;
  for (size_t i = 0; i < 3; ++i) {
    std::string enc = Base64(std::string(i, ' ') + bytes);
    int end_cut = kEnd[(bytes.size() + i) % 3];
    size_t end = end_cut == 0 ? enc.size() : enc.size() - static_cast<size_t>(-end_cut);
    if (end < kStart[i]) end = kStart[i];
    out.push_back(enc.substr(kStart[i], end - kStart[i]));
  }
  return out;
}

// Sigma's windash: a '-' that starts the value or follows white space may also be written '/',
// an en dash, an em dash or a horizontal bar (one choice for all of them in the value).
std::vector<std::string> WindashVariants(const std::string& value) {
  static const char* kDashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
  std::vector<std::string> out;
  for (const char* dash : kDashes) {
    std::string v;
    for (size_t i = 0; i < value.size(); ++i) {
      bool at_word = i == 0 || value[i - 1] == ' ' || value[i - 1] == '\t';
      if (value[i] == '-' && at_word)
        v += dash;
      else
        v += value[i];
    }
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return out;
}

Result<Expr> FieldCondition(const FieldMapping& mapping, const std::vector<std::string>& modifiers,
                            const std::vector<SigmaValue>& values,
                            std::vector<std::string>& approximations) {
  auto parsed = ParseModifiers(modifiers);
  if (!parsed) return Error{parsed.error()};
  Modifiers m = *parsed;
  const VField& f = mapping.field;
  if (values.empty()) return Error{"field " + f.name + " has an empty list of values"};
  if (mapping.as_substring && m.op != Op::kRegex && m.op != Op::kExists) m.op = Op::kContains;
  if (!mapping.approximation.empty()) {
    approximations.push_back(mapping.approximation);
  }

  std::vector<Expr> parts;
  for (const auto& value : values) {
    if (!value) {
      if (m.op != Op::kEq) return Error{"a null value takes no comparison modifier"};
      parts.push_back(Not(Leaf({f, Op::kExists, "", 0, false})));
      continue;
    }
    const std::string& text = *value;
    if (m.op == Op::kExists) {
      std::string b = LowerAscii(text);
      if (b != "true" && b != "false")
        return Error{"'exists' takes true or false, not '" + text + "'"};
      Expr e = Leaf({f, Op::kExists, "", 0, false});
      parts.push_back(b == "true" ? e : Not(e));
      continue;
    }
    if (f.type == FieldType::kBool) {
      std::string b = LowerAscii(text);
      if (m.op != Op::kEq || (b != "true" && b != "false"))
        return Error{"field " + f.name + " takes true or false, not '" + text + "'"};
      parts.push_back(Leaf({f, Op::kEq, b, 0, false}));
      continue;
    }
    if (f.type == FieldType::kInt || f.type == FieldType::kUint) {
      if (m.op != Op::kEq && m.op != Op::kLt && m.op != Op::kLe && m.op != Op::kGt &&
          m.op != Op::kGe)
        return Error{"a number field (" + f.name + ") cannot be compared with a string modifier"};
      auto n = ParseInt(text, f.name);
      if (!n) return Error{n.error()};
      if (f.type == FieldType::kUint && *n < 0)
        return Error{"value " + text + " of " + f.name + " is negative"};
      parts.push_back(Leaf({f, m.op, "", *n, false}));
      continue;
    }
    if (m.op == Op::kLt || m.op == Op::kLe || m.op == Op::kGt || m.op == Op::kGe)
      return Error{"numeric modifiers need a number field, not " + f.name};
    if (f.type == FieldType::kAddress) {
      if (m.op == Op::kCidr) {
        auto slash = text.find('/');
        int len = -1;
        auto ip = ParseIpAddress(text.substr(0, slash));
        if (slash != std::string::npos) {
          auto n = ParseInt(text.substr(slash + 1), f.name);
          if (n) len = static_cast<int>(*n);
        }
        if (!ip || len < 0 || len > (ip->is_v4() ? 32 : 128))
          return Error{"'" + text + "' is not an address block (a.b.c.d/len or ipv6/len)"};
        parts.push_back(Leaf({f, Op::kCidr, text, 0, false}));
        continue;
      }
      if (m.op != Op::kEq || !ParseIpAddress(text))
        return Error{"'" + text + "' compared with an address field (" + f.name +
                     "): only whole addresses and cidr blocks are supported"};
      parts.push_back(Leaf({f, Op::kEq, text, 0, false}));
      continue;
    }
    if (m.op == Op::kCidr) return Error{"'cidr' needs an address field, not " + f.name};
    if (m.op == Op::kRegex) {
      std::string pattern = text;
      if (!m.re_flags.empty()) pattern = "(?" + m.re_flags + ")" + pattern;
      RE2::Options opt;
      opt.set_log_errors(false);
      RE2 re(pattern, opt);
      if (!re.ok())
        return Error{"regular expression '" + text + "' is not one RE2 accepts (" + re.error() +
                     ")"};
      parts.push_back(Leaf({f, Op::kRegex, pattern, 0, false}));
      continue;
    }
    // Strings: wildcards, windash, encodings.
    WildcardValue w = ParseWildcards(text);
    std::vector<std::string> variants;
    bool encoded = m.base64 || m.base64offset;
    if (encoded) {
      if (w.has_wildcards) return Error{"base64 of a value with wildcards ('" + text + "')"};
      std::string bytes = Encode(w.literal, m.encoding);
      if (m.base64)
        variants.push_back(Base64(bytes));
      else
        variants = Base64Offsets(bytes);
    } else {
      variants.push_back(text);
    }
    if (m.windash) {
      std::vector<std::string> dashed;
      for (const auto& v : variants)
        for (auto& d : WindashVariants(v)) dashed.push_back(std::move(d));
      variants = std::move(dashed);
    }
    std::vector<Expr> alternatives;
    for (const auto& v : variants) {
      WildcardValue vw = encoded ? WildcardValue{false, v, ""} : ParseWildcards(v);
      bool ci = !m.cased && !encoded;
      if (vw.has_wildcards) {
        std::string g = vw.glob;
        if (m.op == Op::kContains || m.op == Op::kEndsWith) g = "*" + g;
        if (m.op == Op::kContains || m.op == Op::kStartsWith) g += "*";
        alternatives.push_back(Leaf({f, Op::kGlob, ci ? LowerAscii(g) : g, 0, ci}));
      } else if (vw.literal.empty() && m.op != Op::kEq) {
        alternatives.push_back(Leaf({f, Op::kExists, "", 0, false}));  // "" is in every value
      } else {
        alternatives.push_back(Leaf({f, m.op, ci ? LowerAscii(vw.literal) : vw.literal, 0, ci}));
      }
    }
    parts.push_back(Or(std::move(alternatives)));
  }
  return m.all ? And(std::move(parts)) : Or(std::move(parts));
}

}  // namespace vigil::importer::sigma
