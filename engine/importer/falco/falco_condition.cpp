#include "importer/falco/falco_condition.h"

#include <cctype>
#include <string>

namespace vigil::importer::falco {
namespace {

struct Token {
  enum class Kind { kWord, kString, kLParen, kRParen, kComma, kOp, kEnd } kind = Kind::kEnd;
  std::string text;
  size_t offset = 0;
};

bool WordChar(char c) {
  return !std::isspace(static_cast<unsigned char>(c)) && c != '(' && c != ')' && c != ',' &&
         c != '=' && c != '<' && c != '>' && c != '!' && c != '"' && c != '\'';
}

Result<std::vector<Token>, ConditionError> Lex(const std::string& s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.offset = i;
    if (c == '(' || c == ')' || c == ',') {
      t.kind = c == '('   ? Token::Kind::kLParen
               : c == ')' ? Token::Kind::kRParen
                          : Token::Kind::kComma;
      t.text = std::string(1, c);
      ++i;
    } else if (c == '=' || c == '<' || c == '>' || c == '!') {
      t.kind = Token::Kind::kOp;
      size_t n = (i + 1 < s.size() && s[i + 1] == '=') ? 2 : 1;
      t.text = s.substr(i, n);
      if (t.text == "!") return ConditionError{i, "'!' must be followed by '='"};
      if (t.text == "==") t.text = "=";
      i += n;
    } else if (c == '"' || c == '\'') {
      t.kind = Token::Kind::kString;
      size_t j = i + 1;
      std::string v;
      for (; j < s.size() && s[j] != c; ++j) {
        if (s[j] == '\\' && j + 1 < s.size() && (s[j + 1] == c || s[j + 1] == '\\')) ++j;
        v += s[j];
      }
      if (j >= s.size()) return ConditionError{i, "unterminated string"};
      t.text = v;
      i = j + 1;
    } else {
      t.kind = Token::Kind::kWord;
      size_t j = i;
      while (j < s.size() && WordChar(s[j])) ++j;
      t.text = s.substr(i, j - i);
      i = j;
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.offset = s.size();
  out.push_back(end);
  return out;
}

bool IsWordOp(const std::string& w) {
  static const char* kOps[] = {"in",       "intersects", "pmatch",    "startswith",  "endswith",
                               "contains", "icontains",  "bcontains", "bstartswith", "glob",
                               "iglob",    "regex",      "exists"};
  for (const char* o : kOps)
    if (w == o) return true;
  return false;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> t) : t_(std::move(t)) {}

  Result<FNode, ConditionError> Parse() {
    auto n = Or();
    if (!n) return n;
    if (Peek().kind != Token::Kind::kEnd)
      return ConditionError{Peek().offset, "unexpected '" + Peek().text + "'"};
    return n;
  }

 private:
  const Token& Peek() const { return t_[i_]; }
  bool IsKeyword(const char* w) const {
    return Peek().kind == Token::Kind::kWord && Peek().text == w;
  }

  Result<FNode, ConditionError> Or() {
    auto l = And();
    if (!l) return l;
    if (!IsKeyword("or")) return l;
    FNode n;
    n.kind = FNode::Kind::kOr;
    n.offset = l->offset;
    n.kids.push_back(std::move(*l));
    while (IsKeyword("or")) {
      ++i_;
      auto r = And();
      if (!r) return r;
      n.kids.push_back(std::move(*r));
    }
    return n;
  }

  Result<FNode, ConditionError> And() {
    auto l = Not();
    if (!l) return l;
    if (!IsKeyword("and")) return l;
    FNode n;
    n.kind = FNode::Kind::kAnd;
    n.offset = l->offset;
    n.kids.push_back(std::move(*l));
    while (IsKeyword("and")) {
      ++i_;
      auto r = Not();
      if (!r) return r;
      n.kids.push_back(std::move(*r));
    }
    return n;
  }

  Result<FNode, ConditionError> Not() {
    // Hostile input: nesting is bounded so that the recursion cannot exhaust the stack.
    struct Depth {
      int& d;
      explicit Depth(int& x) : d(++x) {}
      ~Depth() { --d; }
    } guard(depth_);
    if (depth_ > kMaxDepth)
      return ConditionError{Peek().offset, "the condition nests more than " +
                                               std::to_string(kMaxDepth) + " levels deep"};
    if (IsKeyword("not")) {
      size_t off = Peek().offset;
      ++i_;
      auto k = Not();
      if (!k) return k;
      FNode n;
      n.kind = FNode::Kind::kNot;
      n.offset = off;
      n.kids.push_back(std::move(*k));
      return n;
    }
    return Primary();
  }

  Result<FValue, ConditionError> Value() {
    const Token& t = Peek();
    if (t.kind == Token::Kind::kWord || t.kind == Token::Kind::kString) {
      ++i_;
      return FValue{t.text, t.kind == Token::Kind::kString};
    }
    return ConditionError{t.offset, t.kind == Token::Kind::kEnd
                                        ? "a value is missing at the end"
                                        : "expected a value, found '" + t.text + "'"};
  }

  Result<FNode, ConditionError> Primary() {
    const Token& t = Peek();
    if (t.kind == Token::Kind::kLParen) {
      ++i_;
      auto n = Or();
      if (!n) return n;
      if (Peek().kind != Token::Kind::kRParen) return ConditionError{Peek().offset, "expected ')'"};
      ++i_;
      return n;
    }
    if (t.kind != Token::Kind::kWord)
      return ConditionError{t.offset, t.kind == Token::Kind::kEnd
                                          ? "the condition ends where a term is expected"
                                          : "expected a field or macro, found '" + t.text + "'"};
    if (t.text == "and" || t.text == "or")
      return ConditionError{t.offset, "'" + t.text + "' without a left side"};
    FNode n;
    n.offset = t.offset;
    n.name = t.text;
    ++i_;
    const Token& op = Peek();
    if (op.kind == Token::Kind::kOp) {
      n.op = op.text;
      ++i_;
      auto v = Value();
      if (!v) return v.error();
      n.values.push_back(*v);
      return n;
    }
    if (op.kind == Token::Kind::kWord && IsWordOp(op.text)) {
      n.op = op.text;
      ++i_;
      if (n.op == "exists") return n;
      if (Peek().kind == Token::Kind::kLParen) {
        ++i_;
        n.list = true;
        while (Peek().kind != Token::Kind::kRParen) {
          auto v = Value();
          if (!v) return v.error();
          n.values.push_back(*v);
          if (Peek().kind == Token::Kind::kComma) {
            ++i_;
          } else if (Peek().kind != Token::Kind::kRParen) {
            return ConditionError{Peek().offset, "expected ',' or ')' in a list"};
          }
        }
        ++i_;
        return n;
      }
      auto v = Value();
      if (!v) return v.error();
      n.values.push_back(*v);
      return n;
    }
    n.kind = FNode::Kind::kMacro;
    return n;
  }

  static constexpr int kMaxDepth = 200;
  std::vector<Token> t_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<FNode, ConditionError> ParseCondition(const std::string& text) {
  auto toks = Lex(text);
  if (!toks) return toks.error();
  return Parser(std::move(*toks)).Parse();
}

}  // namespace vigil::importer::falco
