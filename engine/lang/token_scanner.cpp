#include "lang/token_scanner.h"

#include <antlr4-runtime.h>

#include <algorithm>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "VigilLexer.h"
#include "lang/utf8.h"

namespace vigil::lang {
namespace {

namespace a4 = antlr4;
using grammar::VigilLexer;

// The character classes of the grammar's lexer rules (ASCII only: any other character outside a
// string or a comment is a BAD_CHAR).
bool NameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool Digit(char c) {
  return c >= '0' && c <= '9';
}
bool NameChar(char c) {
  return NameStart(c) || Digit(c) || c == '-';
}
bool HexDigit(char c) {
  return Digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool OctalDigit(char c) {
  return c >= '0' && c <= '7';
}
bool Blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}
bool LineEnd(char c) {
  return c == '\r' || c == '\n';
}

// The grammar's literal tokens, read from the generated lexer's vocabulary: keywords (made of
// name characters: a name that spells one is that keyword, as the keyword rules come before
// IDENT) and punctuation (the parser's implicit tokens, which come before every lexer rule and
// so win a tie).
struct Literals {
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> keywords;
  std::vector<std::pair<std::string, size_t>> punctuation;  // longest first
  bool punctuation_starts[256] = {};  // whether a punctuation literal starts with that byte
  bool usable = true;  // false: a literal this scanner cannot read (it then always gives up)
};

const Literals& GrammarLiterals() {
  static const Literals literals = [] {
    Literals l;
    a4::ANTLRInputStream nothing;
    VigilLexer lexer(&nothing);
    const a4::dfa::Vocabulary& vocabulary = lexer.getVocabulary();
    for (size_t type = 1; type <= vocabulary.getMaxTokenType(); ++type) {
      const std::string quoted = vocabulary.getLiteralName(type);
      if (quoted.empty()) continue;
      if (quoted.size() < 3 || quoted.front() != '\'' || quoted.back() != '\'' ||
          quoted.find('\\') != std::string::npos) {
        l.usable = false;  // an escape in a literal: not expected in this grammar
        continue;
      }
      std::string text = quoted.substr(1, quoted.size() - 2);
      if (NameStart(text[0]) && std::all_of(text.begin(), text.end(), NameChar))
        l.keywords.emplace(std::move(text), type);
      else
        l.punctuation.emplace_back(std::move(text), type);
    }
    for (const auto& [text, type] : l.punctuation)
      l.punctuation_starts[static_cast<unsigned char>(text[0])] = true;
    std::stable_sort(l.punctuation.begin(), l.punctuation.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    return l;
  }();
  return literals;
}

// The tokens, handed to the parser's token stream one at a time; the end position for
// getLine() and getCharPositionInLine().
class ScannedTokens final : public a4::TokenSource {
 public:
  std::unique_ptr<a4::Token> nextToken() override {
    if (next_ < tokens_.size()) return std::move(tokens_[next_++]);
    return Make(a4::Token::EOF, "<EOF>", end_index_, end_index_ - 1);  // asked again after EOF
  }
  size_t getLine() const override { return line_; }
  size_t getCharPositionInLine() override { return column_; }
  a4::CharStream* getInputStream() override { return nullptr; }
  std::string getSourceName() override { return "<vigil>"; }
  a4::TokenFactory<a4::CommonToken>* getTokenFactory() override {
    return a4::CommonTokenFactory::DEFAULT.get();
  }

  // Scanning: a token of `type` and `text` from code point `start` to `stop` (inclusive), at
  // the current line and column.
  void Add(size_t type, std::string_view text, size_t start, size_t stop) {
    tokens_.push_back(Make(type, text, start, stop));
  }
  void SetEnd(size_t line, size_t column, size_t index) {
    line_ = line;
    column_ = column;
    end_index_ = index;
  }
  void SetPosition(size_t line, size_t column) {
    line_ = line;
    column_ = column;
  }
  void Reserve(size_t n) { tokens_.reserve(n); }

 private:
  std::unique_ptr<a4::Token> Make(size_t type, std::string_view text, size_t start, size_t stop) {
    auto token = std::make_unique<a4::CommonToken>(
        std::pair<a4::TokenSource*, a4::CharStream*>{this, nullptr}, type,
        a4::Token::DEFAULT_CHANNEL, start, stop);
    token->setText(std::string(text));
    token->setLine(line_);
    token->setCharPositionInLine(column_);
    return token;
  }

  std::vector<std::unique_ptr<a4::Token>> tokens_;
  size_t next_ = 0;
  size_t line_ = 1, column_ = 0, end_index_ = 0;
};

// The longest match of a token class at text[i]: its type and length in bytes, whether it is
// skipped (blanks, comments), and whether it is a lexical problem (the generated lexer's
// BAD_CHAR or UNTERMINATED_STRING). Each follows its rule in grammar/Vigil.g4.
struct ClassMatch {
  size_t type = 0;
  size_t length = 0;
  bool skip = false;
  bool problem = false;
};

// A run of name characters with dotted parts, from text[j] (IDENT and DOTNAME after their
// first character): [a-zA-Z0-9_-]* ('.' [a-zA-Z0-9_-]+)*. Returns where it ends.
size_t DottedNameEnd(std::string_view text, size_t j) {
  const size_t n = text.size();
  while (j < n && NameChar(text[j])) ++j;
  while (j + 1 < n && text[j] == '.' && NameChar(text[j + 1])) {
    j += 2;
    while (j < n && NameChar(text[j])) ++j;
  }
  return j;
}

ClassMatch MatchClass(std::string_view text, size_t i) {
  const size_t n = text.size();
  const char c = text[i];
  auto run = [&](size_t j, bool (*in)(char)) {
    while (j < n && in(text[j])) ++j;
    return j;
  };
  if (Blank(c)) return {0, run(i, Blank) - i, true, false};
  if (c == '#') {
    size_t j = i;
    while (j < n && !LineEnd(text[j])) ++j;
    return {0, j - i, true, false};
  }
  if (NameStart(c)) return {VigilLexer::IDENT, DottedNameEnd(text, i + 1) - i};
  if (c == '.') {
    if (i + 1 < n && NameChar(text[i + 1]))
      return {VigilLexer::DOTNAME, DottedNameEnd(text, i + 1) - i};
    return {VigilLexer::BAD_CHAR, 1, false, true};
  }
  if (c == '-') {
    if (i + 1 < n && Digit(text[i + 1])) return {VigilLexer::INT, run(i + 1, Digit) - i};
    return {VigilLexer::BAD_CHAR, 1, false, true};
  }
  if (Digit(c)) {
    const size_t digits = run(i, Digit) - i;
    size_t integer = digits;
    if (c == '0' && i + 2 < n && text[i + 1] == 'x' && HexDigit(text[i + 2]))
      integer = std::max(integer, run(i + 2, HexDigit) - i);
    if (c == '0' && i + 2 < n && text[i + 1] == 'o' && OctalDigit(text[i + 2]))
      integer = std::max(integer, run(i + 2, OctalDigit) - i);
    size_t duration = 0;
    const size_t after = i + digits;
    if (after + 1 < n && text[after] == 'm' && text[after + 1] == 's')
      duration = digits + 2;
    else if (after < n &&
             (text[after] == 's' || text[after] == 'm' || text[after] == 'h' || text[after] == 'd'))
      duration = digits + 1;
    // DURATION comes before INT in the grammar: it wins a tie (none is possible).
    if (duration >= integer) return {VigilLexer::DURATION, duration};
    return {VigilLexer::INT, integer};
  }
  if (c == '"') {
    // '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '"'; an escaped character's continuation bytes, if
    // any, are walked over as plain characters.
    size_t j = i + 1;
    while (j < n && text[j] != '"' && !LineEnd(text[j])) {
      if (text[j] == '\\') {
        if (j + 1 >= n || LineEnd(text[j + 1])) break;
        ++j;
      }
      ++j;
    }
    if (j < n && text[j] == '"') return {VigilLexer::STRING, j + 1 - i};
    return {VigilLexer::UNTERMINATED_STRING, j - i, false, true};
  }
  if (c == '\'') {
    size_t j = i + 1;
    while (j < n && text[j] != '\'' && !LineEnd(text[j])) ++j;
    if (j < n && text[j] == '\'') return {VigilLexer::RAWSTRING, j + 1 - i};
    return {VigilLexer::UNTERMINATED_STRING, j - i, false, true};
  }
  return {VigilLexer::BAD_CHAR, 1, false, true};
}

}  // namespace

std::unique_ptr<a4::TokenSource> ScanTokens(std::string_view text) {
  const Literals& literals = GrammarLiterals();
  if (!literals.usable) return nullptr;
  auto tokens = std::make_unique<ScannedTokens>();
  tokens->Reserve(text.size() / 5 + 1);
  size_t line = 1, column = 0, index = 0;  // index: in code points, as ANTLR counts
  // ANTLR's input stream drops a byte order mark before it counts anything.
  const size_t bom = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  for (size_t i = bom; i < text.size();) {
    const ClassMatch m = MatchClass(text, i);
    size_t punctuation = 0, punctuation_type = 0;
    if (literals.punctuation_starts[static_cast<unsigned char>(text[i])]) {
      for (const auto& [literal, type] : literals.punctuation) {
        if (text.compare(i, literal.size(), literal) == 0) {
          punctuation = literal.size();
          punctuation_type = type;
          break;
        }
      }
    }
    size_t type = m.type, length = m.length;
    if (punctuation > 0 && punctuation >= m.length) {
      type = punctuation_type;
      length = punctuation;
    } else if (m.problem) {
      return nullptr;
    }
    const std::string_view lexeme = text.substr(i, length);
    const size_t points = CodePointCount(lexeme);
    if (m.skip && type == m.type) {
      // Blanks and comments: only a newline moves to the next line (as ANTLR's lexer counts).
      for (char ch : lexeme) {
        if (ch == '\n') {
          ++line;
          column = 0;
        } else if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) {
          ++column;
        }
      }
    } else {
      if (type == VigilLexer::IDENT) {
        if (auto k = literals.keywords.find(lexeme); k != literals.keywords.end()) type = k->second;
      }
      tokens->SetPosition(line, column);
      tokens->Add(type, lexeme, index, index + points - 1);
      column += points;  // no token but blanks and comments holds a newline
    }
    index += points;
    i += length;
  }
  tokens->SetPosition(line, column);
  tokens->Add(a4::Token::EOF, "<EOF>", index, index - 1);
  tokens->SetEnd(line, column, index);
  return tokens;
}

std::string ScanDifference(std::string_view text) {
  a4::ANTLRInputStream input{std::string(text)};
  VigilLexer lexer(&input);
  lexer.removeErrorListeners();
  std::vector<std::unique_ptr<a4::Token>> expected;
  bool problem = false;
  do {
    expected.push_back(lexer.nextToken());
    const size_t type = expected.back()->getType();
    problem = problem || type == VigilLexer::BAD_CHAR || type == VigilLexer::UNTERMINATED_STRING;
  } while (expected.back()->getType() != a4::Token::EOF);
  std::unique_ptr<a4::TokenSource> scanned = ScanTokens(text);
  if (!scanned)
    return problem ? ""
                   : "the scanner gave up on a text the generated lexer reads without a problem";
  if (problem) return "the scanner read a text in which the generated lexer finds a problem";
  auto describe = [](const a4::Token& t) {
    return "type " + std::to_string(static_cast<long long>(t.getType())) + " '" + t.getText() +
           "' at " + std::to_string(t.getLine()) + ":" + std::to_string(t.getCharPositionInLine()) +
           " [" + std::to_string(t.getStartIndex()) + ", " +
           std::to_string(static_cast<long long>(t.getStopIndex())) + "] channel " +
           std::to_string(t.getChannel());
  };
  for (size_t k = 0; k < expected.size(); ++k) {
    const std::unique_ptr<a4::Token> got = scanned->nextToken();
    const std::string want = describe(*expected[k]), have = describe(*got);
    if (want != have)
      return "token " + std::to_string(k) + ": the generated lexer gives " + want +
             ", the scanner " + have;
  }
  return "";
}

}  // namespace vigil::lang
