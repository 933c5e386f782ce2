#include "importer/sigma/sigma_condition.h"

#include <cctype>
#include <vector>

namespace vigil::importer::sigma {
namespace {

struct Token {
  std::string text;
  size_t offset = 0;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<Token> Tokenize(const std::string& s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '(' || c == ')' || c == '|') {
      out.push_back({std::string(1, c), i});
      ++i;
    } else {
      size_t start = i;
      while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != '(' &&
             s[i] != ')' && s[i] != '|')
        ++i;
      out.push_back({s.substr(start, i - start), start});
    }
  }
  return out;
}

// Sigma's name patterns: '*' matches any run of characters.
bool NameMatches(const std::string& pattern, const std::string& name) {
  size_t p = 0, n = 0, star = std::string::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

class Parser {
 public:
  Parser(const std::string& text, const std::map<std::string, Expr>& selections)
      : text_(text), tokens_(Tokenize(text)), selections_(selections) {}

  Result<Expr> Parse() {
    if (tokens_.empty()) return Error{"the condition is empty"};
    auto e = ParseOr(0);
    if (!e) return e;
    if (pos_ < tokens_.size()) {
      if (tokens_[pos_].text == "|")
        return Error{
            "aggregation in the condition ('| ...'): write a Sigma correlation rule "
            "instead"};
      return Fail("unexpected '" + tokens_[pos_].text + "'");
    }
    return e;
  }

 private:
  Error Fail(const std::string& what) const {
    size_t at = pos_ < tokens_.size() ? tokens_[pos_].offset : text_.size();
    return Error{"condition, column " + std::to_string(at + 1) + ": " + what};
  }
  bool Is(const char* word) const {
    return pos_ < tokens_.size() && Lower(tokens_[pos_].text) == word;
  }

  Result<Expr> ParseOr(int depth) {
    if (depth > kMaxConditionDepth) return Fail("nested too deeply");
    std::vector<Expr> kids;
    auto first = ParseAnd(depth);
    if (!first) return first;
    kids.push_back(std::move(*first));
    while (Is("or")) {
      ++pos_;
      auto next = ParseAnd(depth);
      if (!next) return next;
      kids.push_back(std::move(*next));
    }
    return kids.size() == 1 ? kids[0] : Or(std::move(kids));
  }

  Result<Expr> ParseAnd(int depth) {
    std::vector<Expr> kids;
    auto first = ParseNot(depth);
    if (!first) return first;
    kids.push_back(std::move(*first));
    while (Is("and")) {
      ++pos_;
      auto next = ParseNot(depth);
      if (!next) return next;
      kids.push_back(std::move(*next));
    }
    return kids.size() == 1 ? kids[0] : And(std::move(kids));
  }

  Result<Expr> ParseNot(int depth) {
    if (Is("not")) {
      ++pos_;
      if (depth > kMaxConditionDepth) return Fail("nested too deeply");
      auto kid = ParseNot(depth + 1);
      if (!kid) return kid;
      return Not(std::move(*kid));
    }
    return ParsePrimary(depth);
  }

  Result<Expr> ParsePrimary(int depth) {
    if (pos_ >= tokens_.size()) return Fail("a selection name is missing at the end");
    const std::string& t = tokens_[pos_].text;
    if (t == "(") {
      ++pos_;
      auto e = ParseOr(depth + 1);
      if (!e) return e;
      if (!Is(")")) return Fail("')' expected");
      ++pos_;
      return e;
    }
    if (t == ")" || t == "|" || Is("and") || Is("or")) return Fail("unexpected '" + t + "'");
    std::string lower = Lower(t);
    if ((lower == "1" || lower == "any" || lower == "all") && pos_ + 1 < tokens_.size() &&
        Lower(tokens_[pos_ + 1].text) == "of") {
      pos_ += 2;
      if (pos_ >= tokens_.size()) return Fail("a name pattern or 'them' is expected after 'of'");
      std::string pattern = tokens_[pos_].text;
      bool them = Lower(pattern) == "them";
      std::vector<Expr> picked;
      for (const auto& [name, expr] : selections_) {
        bool pick = them ? name.empty() || name[0] != '_' : NameMatches(pattern, name);
        if (pick) picked.push_back(expr);
      }
      if (picked.empty()) return Fail("'" + pattern + "' matches no selection");
      ++pos_;
      return lower == "all" ? And(std::move(picked)) : Or(std::move(picked));
    }
    auto it = selections_.find(t);
    if (it == selections_.end()) return Fail("unknown selection '" + t + "'");
    ++pos_;
    return it->second;
  }

  const std::string& text_;
  std::vector<Token> tokens_;
  const std::map<std::string, Expr>& selections_;
  size_t pos_ = 0;
};

}  // namespace

Result<Expr> ParseCondition(const std::string& condition,
                            const std::map<std::string, Expr>& selections) {
  return Parser(condition, selections).Parse();
}

}  // namespace vigil::importer::sigma
