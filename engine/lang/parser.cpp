// The only file that sees ANTLR: it drives the generated parser and turns its tree into
// vigil's AST (lang/ast.h). Syntax errors are rewritten into messages that name what was
// expected in the language's own terms.
#include "lang/parser.h"

#include <antlr4-runtime.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <set>

#include "VigilLexer.h"
#include "VigilParser.h"
#include "lang/limits.h"
#include "lang/string_literal.h"
#include "lang/suggest.h"
#include "lang/token_scanner.h"
#include "lang/utf8.h"

namespace vigil::lang {
namespace {

using grammar::VigilLexer;
using grammar::VigilParser;
namespace a4 = antlr4;

std::string Quote(const std::string& s) {
  return "'" + s + "'";
}

// A token quoted for a message, its first 40 code points at most: a message about a
// 10 KB string must not repeat it.
std::string QuoteToken(const std::string& s) {
  constexpr uint32_t kMax = 40;
  uint32_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && ++n > kMax)
      return "'" + s.substr(0, i) + "...'";
  }
  return Quote(s);
}

// Readable names for the token types the parser can expect.
std::string TokenDisplay(const a4::dfa::Vocabulary& vocab, size_t type) {
  if (type == a4::Token::EOF) return "end of file";
  switch (type) {
    case VigilLexer::IDENT:
      return "a name";
    case VigilLexer::STRING:
      return "a string";
    case VigilLexer::RAWSTRING:
      return "a raw string";
    case VigilLexer::INT:
      return "a number";
    default:
      break;
  }
  std::string lit = vocab.getLiteralName(type);
  if (!lit.empty()) return lit;
  return vocab.getSymbolicName(type);
}

bool IsKeywordToken(size_t type) {
  return type >= VigilLexer::LIST && type <= VigilLexer::FALSE;
}

class SyntaxErrorCollector : public a4::BaseErrorListener {
 public:
  SyntaxErrorCollector(uint32_t file, Diagnostics& diags) : file_(file), diags_(diags) {}

  void syntaxError(a4::Recognizer* recognizer, a4::Token* offending, size_t line, size_t col,
                   const std::string& msg, std::exception_ptr) override {
    auto* parser = dynamic_cast<a4::Parser*>(recognizer);
    SourceLoc loc{file_, static_cast<uint32_t>(line), static_cast<uint32_t>(col + 1), 1};
    if (!parser || !offending) {
      diags_.Add(Code::kSyntax, loc, msg);
      return;
    }
    // Tokens the lexer marks as broken already got a precise message.
    if (offending->getType() == VigilLexer::UNTERMINATED_STRING ||
        offending->getType() == VigilLexer::BAD_CHAR)
      return;
    // One finding per position: ANTLR can report twice while it recovers.
    if (!seen_.insert({line, col}).second) return;
    std::string what = offending->getType() == a4::Token::EOF ? std::string("end of file")
                                                              : QuoteToken(offending->getText());
    if (offending->getType() != a4::Token::EOF) loc.length = CodePointCount(offending->getText());
    std::string message = "unexpected " + what;
    // `append` takes list, macro or rule: say so rather than what ANTLR's recovery expects.
    if (size_t i = offending->getTokenIndex();
        i > 0 && i < parser->getTokenStream()->size() &&
        parser->getTokenStream()->get(i - 1)->getType() == VigilLexer::APPEND &&
        offending->getType() != VigilLexer::LIST && offending->getType() != VigilLexer::MACRO &&
        offending->getType() != VigilLexer::RULE) {
      diags_.Add(Code::kSyntax, loc,
                 message +
                     ": 'append' adds to a list, a macro or a rule (append list NAME "
                     "[...], append macro NAME or ..., append rule NAME { exception ... })");
      return;
    }
    // `append macro NAME COND`: the connective is missing.
    if (size_t i = offending->getTokenIndex(); i >= 3 && i < parser->getTokenStream()->size()) {
      auto* ts = parser->getTokenStream();
      size_t k = ts->get(i - 1)->getText() == "=" ? i - 1 : i;
      if (k >= 3 && ts->get(k - 3)->getType() == VigilLexer::APPEND &&
          ts->get(k - 2)->getType() == VigilLexer::MACRO &&
          offending->getType() != VigilLexer::OR && offending->getType() != VigilLexer::AND) {
        const std::string name = ts->get(k - 1)->getText();
        diags_.Add(Code::kSyntax, loc,
                   message + ": say how the condition joins the macro: append macro " + name +
                       " or CONDITION (or 'and')");
        return;
      }
    }
    std::string expected = ExpectedText(*parser, msg);
    if (!expected.empty()) message += ", expected " + expected;
    diags_.Add(Code::kSyntax, loc, message);
  }

 private:
  static std::string ExpectedText(a4::Parser& parser, const std::string& antlr_msg) {
    // "missing X at Y": ANTLR knows exactly which token is missing.
    if (antlr_msg.rfind("missing ", 0) == 0) {
      auto at = antlr_msg.find(" at ");
      return antlr_msg.substr(8, at == std::string::npos ? std::string::npos : at - 8);
    }
    a4::misc::IntervalSet set;
    try {
      set = parser.getExpectedTokens();
    } catch (...) {
      return "";
    }
    const auto& vocab = parser.getVocabulary();
    std::vector<std::string> names;
    bool any_keyword = false, has_ident = false;
    for (ssize_t t : set.toList()) {
      if (t == VigilLexer::IDENT) has_ident = true;
      if (IsKeywordToken(static_cast<size_t>(t)) && t != VigilLexer::TRUE && t != VigilLexer::FALSE)
        any_keyword = true;
    }
    for (ssize_t t : set.toList()) {
      // Where a name is expected, keywords usable as names are not worth listing.
      if (has_ident && any_keyword && IsKeywordToken(static_cast<size_t>(t)) &&
          t != VigilLexer::NOT && t != VigilLexer::EXISTS && t != VigilLexer::TRUE &&
          t != VigilLexer::FALSE && t != VigilLexer::FOLLOW && t != VigilLexer::AND &&
          t != VigilLexer::OR && t != VigilLexer::IN)
        continue;
      if (t == VigilLexer::UNTERMINATED_STRING || t == VigilLexer::BAD_CHAR ||
          t == VigilLexer::DOTNAME)
        continue;
      names.push_back(TokenDisplay(vocab, static_cast<size_t>(t)));
    }
    if (names.empty()) return "";
    if (names.size() == 1) return names[0];
    std::string out = "one of ";
    for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
    return out;
  }

  uint32_t file_;
  Diagnostics& diags_;
  std::set<std::pair<size_t, size_t>> seen_;
};

bool HasErrors(a4::tree::ParseTree* tree) {
  if (auto* ctx = dynamic_cast<a4::ParserRuleContext*>(tree)) {
    if (ctx->exception) return true;
  }
  if (dynamic_cast<a4::tree::ErrorNode*>(tree)) return true;
  for (auto* child : tree->children)
    if (HasErrors(child)) return true;
  return false;
}

// The text of a parse-tree node, its tokens' texts joined, as RuleContext::getText gives it but
// without the string stream ANTLR 4.9 builds for every call of that (9% of the instructions of
// a 10,000-rule lint).
void AppendText(a4::tree::ParseTree* tree, std::string* out) {
  if (tree->children.empty()) {
    if (auto* terminal = dynamic_cast<a4::tree::TerminalNode*>(tree)) *out += terminal->getText();
    return;
  }
  for (auto* child : tree->children)
    if (child) AppendText(child, out);
}

std::string Text(a4::tree::ParseTree* tree) {
  std::string out;
  AppendText(tree, &out);
  return out;
}
std::string Text(a4::Token* token) {
  return token->getText();
}

// Turns parse-tree nodes into AST nodes for one file.
class AstBuilder {
 public:
  AstBuilder(uint32_t file, Diagnostics& diags) : file_(file), diags_(diags) {}

  SourceLoc Loc(a4::Token* t) const {
    return SourceLoc{file_, static_cast<uint32_t>(t->getLine()),
                     static_cast<uint32_t>(t->getCharPositionInLine() + 1),
                     std::max<uint32_t>(1, CodePointCount(t->getText()))};
  }

  SourceLoc Loc(a4::ParserRuleContext* ctx) const {
    SourceLoc loc = Loc(ctx->getStart());
    a4::Token* stop = ctx->getStop();
    if (stop && stop->getLine() == ctx->getStart()->getLine() &&
        stop->getStopIndex() >= ctx->getStart()->getStartIndex())
      loc.length =
          static_cast<uint32_t>(stop->getStopIndex() - ctx->getStart()->getStartIndex() + 1);
    return loc;
  }

  ast::File Build(VigilParser::FileContext* file, bool may_have_errors) {
    ast::File out;
    out.id = file_;
    for (auto* decl : file->decl()) {
      if (may_have_errors && HasErrors(decl)) {  // already reported as V001; later passes skip it
        RememberName(decl, out);
        continue;
      }
      if (auto* d = decl->listDecl()) out.lists.push_back(BuildList(d));
      if (auto* d = decl->macroDecl()) out.macros.push_back(BuildMacro(d));
      if (auto* d = decl->ruleDecl()) out.rules.push_back(BuildRule(d));
      if (auto* d = decl->testDecl()) out.tests.push_back(BuildTest(d));
      if (auto* d = decl->policyDecl()) out.policies.push_back(BuildPolicy(d));
      if (auto* d = decl->appendDecl()) out.appends.push_back(BuildAppend(d));
    }
    return out;
  }

  ast::Expr BuildExpr(VigilParser::ExprContext* ctx) { return BuildOr(ctx->orExpr()); }

 private:
  static void RememberName(VigilParser::DeclContext* decl, ast::File& out) {
    VigilParser::NameContext* name = nullptr;
    if (auto* d = decl->listDecl()) name = d->name();
    if (auto* d = decl->macroDecl()) name = d->name();
    if (auto* d = decl->ruleDecl()) name = d->name();
    if (auto* d = decl->policyDecl()) name = d->name();
    if (name && !name->exception) out.unparsed_names.push_back(Text(name));
  }

  // ---- declarations ---------------------------------------------------------------

  ast::ListDecl BuildList(VigilParser::ListDeclContext* ctx) {
    ast::ListDecl d;
    d.name = Text(ctx->name());
    d.loc = Loc(ctx->name());
    d.is_override = ctx->OVERRIDE() != nullptr;
    d.items = BuildListLit(ctx->listLit()).items;
    return d;
  }

  ast::MacroDecl BuildMacro(VigilParser::MacroDeclContext* ctx) {
    ast::MacroDecl d;
    d.name = Text(ctx->name());
    d.loc = Loc(ctx->name());
    d.is_override = ctx->OVERRIDE() != nullptr;
    d.body = BuildExpr(ctx->expr());
    return d;
  }

  // Checks a property against the set allowed in a rule or policy, and that it appears once.
  bool AcceptProperty(const std::string& key, SourceLoc loc, const char* what,
                      const std::vector<std::string_view>& allowed, std::set<std::string>& seen) {
    bool known = false;
    for (auto k : allowed) known |= k == key;
    if (!known) {
      std::string msg = "unknown " + std::string(what) + " property " + Quote(key);
      auto sugg = Suggest(key, allowed);
      if (!sugg.empty()) {
        msg += DidYouMean(sugg);
      } else {
        msg += "; a " + std::string(what) + " takes:";
        for (auto k : allowed) msg += " " + std::string(k);
      }
      diags_.Add(Code::kBadProperty, loc, msg);
      return false;
    }
    if (!seen.insert(key).second) {
      diags_.Add(Code::kBadProperty, loc,
                 "property " + Quote(key) + " is given twice in this " + what);
      return false;
    }
    return true;
  }

  void ShapeError(const std::string& key, SourceLoc loc, const char* expected) {
    diags_.Add(Code::kBadProperty, loc, "property " + Quote(key) + " takes " + expected);
  }

  std::optional<std::string> StringValue(VigilParser::PropertyValueContext* v, std::string* raw) {
    auto* lit = v->literal();
    if (!lit || (!lit->STRING() && !lit->RAWSTRING())) return std::nullopt;
    a4::Token* tok = lit->getStart();
    if (raw) *raw = tok->getText();
    return DecodeString(tok);
  }

  std::optional<std::string> WordValue(VigilParser::PropertyValueContext* v) {
    if (!v->word()) return std::nullopt;
    return Text(v->word());
  }

  std::optional<bool> BoolValue(VigilParser::PropertyValueContext* v) {
    auto* lit = v->literal();
    if (!lit) return std::nullopt;
    if (lit->TRUE()) return true;
    if (lit->FALSE()) return false;
    return std::nullopt;
  }

  std::optional<std::vector<ast::Value>> ListValue(VigilParser::PropertyValueContext* v) {
    if (!v->listLit()) return std::nullopt;
    return BuildListLit(v->listLit()).items;
  }

  ast::RuleDecl BuildRule(VigilParser::RuleDeclContext* ctx) {
    static const std::vector<std::string_view> kRuleProps = {
        "desc",   "severity", "mitre",     "tags",     "on",          "when",
        "output", "enabled",  "exception", "count",    "distinct",    "within",
        "by",     "steps",    "step",      "max_keys", "max_pending", "throttle",
        "per",    "fold",     "origin",    "author",   "license",     "references"};
    ast::RuleDecl r;
    r.name = Text(ctx->name());
    r.loc = Loc(ctx->name());
    r.is_override = ctx->OVERRIDE() != nullptr;
    std::set<std::string> seen;
    for (auto* prop : ctx->property()) {
      if (auto* x = dynamic_cast<VigilParser::ExceptionPropertyContext*>(prop)) {
        AddException(BuildException(x), r.exceptions);
        continue;
      }
      if (auto* st = dynamic_cast<VigilParser::StepPropertyContext*>(prop)) {
        r.correlation.steps.push_back(BuildStep(st));
        continue;
      }
      if (auto* p = dynamic_cast<VigilParser::ExprPropertyContext*>(prop)) {
        std::string key = Text(p->key);
        if (!AcceptProperty(key, Loc(p->key), "rule", kRuleProps, seen)) continue;
        r.when = BuildExpr(p->expr());
      } else if (auto* p = dynamic_cast<VigilParser::OnPropertyContext*>(prop)) {
        if (!AcceptProperty("on", Loc(p->key), "rule", kRuleProps, seen)) continue;
        r.has_on = true;
        r.on_loc = Loc(p->eventSel());
        BuildEventSel(p->eventSel(), r);
      } else if (auto* p = dynamic_cast<VigilParser::PlainPropertyContext*>(prop)) {
        std::string key = Text(p->key);
        SourceLoc kloc = Loc(p->key);
        if (!AcceptProperty(key, kloc, "rule", kRuleProps, seen)) continue;
        auto* v = p->propertyValue();
        if (key == "desc") {
          auto s = StringValue(v, nullptr);
          if (!s)
            ShapeError(key, Loc(v), "a string: desc \"what this rule detects\"");
          else
            r.desc = *s;
        } else if (key == "origin" || key == "author" || key == "license") {
          auto s = StringValue(v, nullptr);
          if (!s)
            ShapeError(key, Loc(v), "a string: origin \"sigma:ID\", author \"...\"");
          else
            (key == "origin" ? r.origin : key == "author" ? r.author : r.license) = *s;
        } else if (key == "references") {
          auto list = ListValue(v);
          if (!list) {
            ShapeError(key, Loc(v), "a list of strings: references [\"https://...\"]");
            continue;
          }
          for (auto& item : *list) {
            if (item.kind != ast::Value::Kind::kString) {
              ShapeError(key, item.loc, "a list of strings: references [\"https://...\"]");
              break;
            }
            r.references.push_back(std::move(item.text));
          }
        } else if (key == "output") {
          auto s = StringValue(v, &r.output_raw);
          if (!s) {
            ShapeError(key, Loc(v), "a string: output \"{proc.name} opened {file.path}\"");
          } else {
            r.output = *s;
            r.output_loc = Loc(v);
          }
        } else if (key == "severity") {
          r.severity_given = true;
          auto w = WordValue(v);
          if (!w) {
            ShapeError(key, Loc(v),
                       "one of info, low, medium, high, critical (or a Falco priority name)");
            continue;
          }
          r.severity = ParseSeverity(*w, Loc(v));
        } else if (key == "mitre" || key == "tags") {
          auto list = ListValue(v);
          if (!list) {
            ShapeError(key, Loc(v),
                       key == "mitre" ? "a list: mitre [T1059.004]"
                                      : "a list: tags [execution, container]");
            continue;
          }
          (key == "mitre" ? r.mitre : r.tags) = std::move(*list);
        } else if (key == "enabled") {
          auto b = BoolValue(v);
          if (!b)
            ShapeError(key, Loc(v), "true or false");
          else
            r.enabled = *b;
        } else if (!TimeProperty(key, v, r)) {
          // `when` and `on` with a value the dedicated alternatives did not take.
          ShapeError(key, Loc(v), key == "when" ? "a condition" : "event types");
        }
      }
    }
    return r;
  }

  // The properties of correlation and throttling (docs/language.md, "Correlation",
  // "Throttling"); false for any other key.
  bool TimeProperty(const std::string& key, VigilParser::PropertyValueContext* v,
                    ast::RuleDecl& r) {
    ast::Correlation& c = r.correlation;
    SourceLoc loc = Loc(v);
    auto positive = [&](const char* example) -> std::optional<int64_t> {
      auto* lit = v->literal();
      if (!lit || !lit->INT()) {
        ShapeError(key, loc, example);
        return std::nullopt;
      }
      int64_t n = ParseInt(lit->getStart());
      if (n <= 0) {
        diags_.Add(Code::kBadCorrelation, loc, "property " + Quote(key) + " must be at least 1");
        return std::nullopt;
      }
      return n;
    };
    if (key == "count") {
      c.count_loc = loc;
      if (auto n = positive("a number of events: count 5")) c.count = *n;
    } else if (key == "distinct") {
      if (!v->word()) {
        ShapeError(key, loc, "a field: distinct proc.name");
      } else {
        ast::Value f = Word(v->word());
        f.kind = ast::Value::Kind::kField;
        c.distinct = std::move(f);
      }
    } else if (key == "within" || key == "per") {
      auto d = DurationValue(key, v);
      if (key == "within") {
        c.has_within = true;
        c.within_loc = loc;
        if (d) c.within_ns = *d;
      } else {
        r.throttle.per_loc = loc;
        if (d) r.throttle.per_ns = *d;
      }
    } else if (key == "by") {
      c.by_loc = loc;
      if (v->word()) {
        c.by.push_back(Word(v->word()));
      } else if (v->listLit()) {
        c.by = BuildListLit(v->listLit()).items;
      } else {
        ShapeError(key, loc,
                   "a field or a list of fields: by proc.pid, by [user.name, container.id]");
      }
      for (auto& f : c.by)
        if (f.kind == ast::Value::Kind::kWord) f.kind = ast::Value::Kind::kField;
    } else if (key == "steps") {
      c.steps_loc = loc;
      auto w = WordValue(v);
      if (w && *w == "in_order") {
        c.kind = ast::Correlation::Kind::kSequence;
      } else if (w && *w == "any_order") {
        c.kind = ast::Correlation::Kind::kAnyOrder;
      } else {
        diags_.Add(Code::kBadEnumValue, loc, "property 'steps' takes in_order or any_order");
      }
    } else if (key == "max_keys") {
      c.max_keys_loc = loc;
      if (auto n = positive("a number: max_keys 10000")) c.max_keys = *n;
    } else if (key == "max_pending") {
      c.max_pending_loc = loc;
      if (auto n = positive("a number: max_pending 16")) c.max_pending = *n;
    } else if (key == "throttle") {
      r.throttle.loc = loc;
      if (auto n = positive("a number of alerts: throttle 10 per 1m")) r.throttle.limit = *n;
    } else if (key == "fold") {
      r.throttle.fold_loc = loc;
      auto b = BoolValue(v);
      if (!b)
        ShapeError(key, loc, "true or false");
      else
        r.throttle.fold = *b;
    } else {
      return false;
    }
    return true;
  }

  // 500ms, 30s, 5m, 2h, 1d as nanoseconds; a finding (and nullopt) for anything else.
  std::optional<int64_t> DurationValue(const std::string& key,
                                       VigilParser::PropertyValueContext* v) {
    if (!v->DURATION()) {
      auto* lit = v->literal();
      if (lit && lit->INT() && ParseInt(lit->getStart()) <= 0) {
        diags_.Add(Code::kBadCorrelation, Loc(v),
                   "property " + Quote(key) + " takes a duration longer than zero, e.g. 30s");
        return std::nullopt;
      }
      ShapeError(key, Loc(v), "a duration: 500ms, 30s, 5m, 2h or 1d");
      return std::nullopt;
    }
    return ParseDuration(v->DURATION()->getSymbol());
  }

  // `allow_zero`: 0s is the start of a test case, but no window.
  std::optional<int64_t> ParseDuration(a4::Token* tok, bool allow_zero = false) {
    std::string text = tok->getText();
    size_t digits = text.find_first_not_of("0123456789");
    std::string unit = text.substr(digits);
    int64_t scale = unit == "ms"  ? 1000000LL
                    : unit == "s" ? 1000000000LL
                    : unit == "m" ? 60LL * 1000000000LL
                    : unit == "h" ? 3600LL * 1000000000LL
                                  : 86400LL * 1000000000LL;
    errno = 0;
    unsigned long long n = std::strtoull(text.substr(0, digits).c_str(), nullptr, 10);
    // At most about 290 years in nanoseconds: more is a typo.
    if (errno == ERANGE || n > static_cast<unsigned long long>(INT64_MAX / scale)) {
      diags_.Add(Code::kBadCorrelation, Loc(tok), "duration " + Quote(text) + " is too long");
      return std::nullopt;
    }
    if (n == 0 && !allow_zero) {
      diags_.Add(Code::kBadCorrelation, Loc(tok),
                 "a duration must be longer than zero, not " + Quote(text));
      return std::nullopt;
    }
    return static_cast<int64_t>(n) * scale;
  }

  ast::Step BuildStep(VigilParser::StepPropertyContext* ctx) {
    ast::Step st;
    st.name = Text(ctx->name());
    st.loc = Loc(ctx->name());
    st.on_loc = Loc(ctx->eventSel());
    ast::RuleDecl holder;  // BuildEventSel fills a rule's `on`
    BuildEventSel(ctx->eventSel(), holder);
    st.on_all = holder.on_all;
    st.on = std::move(holder.on);
    if (ctx->expr()) st.when = BuildExpr(ctx->expr());
    return st;
  }

  // vigil's five severities, and Falco's priority names as aliases (docs/language.md).
  std::optional<ast::Severity> ParseSeverity(const std::string& w, SourceLoc loc) {
    if (auto known = ast::SeverityByName(w)) return known->first;
    std::vector<std::string_view> names;
    for (const auto& n : ast::SeverityNames()) names.push_back(n.name);
    auto sugg = Suggest(w, names);
    diags_.Add(Code::kBadEnumValue, loc,
               "unknown severity " + Quote(w) +
                   (sugg.empty() ? std::string("; use info, low, medium, high or critical (or a "
                                               "Falco priority: emergency ... debug)")
                                 : DidYouMean(sugg)));
    return std::nullopt;
  }

  // ---- exceptions and appends -----------------------------------------------------

  // An exception of a rule or of an `append rule` block; a second one of the same name in
  // the same block is reported and dropped.
  void AddException(ast::ExceptionDecl x, std::vector<ast::ExceptionDecl>& into) {
    for (const auto& other : into) {
      if (other.name != x.name) continue;
      diags_.Add(Code::kBadException, x.loc,
                 "exception " + Quote(x.name) +
                     " is given twice in this block; write its "
                     "tuples in one list");
      return;
    }
    into.push_back(std::move(x));
  }

  ast::ExceptionDecl BuildException(VigilParser::ExceptionPropertyContext* ctx) {
    static const std::map<std::string, ast::Op> kOps = {{"==", ast::Op::kEq},
                                                        {"!=", ast::Op::kNe},
                                                        {"<", ast::Op::kLt},
                                                        {"<=", ast::Op::kLe},
                                                        {">", ast::Op::kGt},
                                                        {">=", ast::Op::kGe},
                                                        {"contains", ast::Op::kContains},
                                                        {"icontains", ast::Op::kIContains},
                                                        {"startswith", ast::Op::kStartsWith},
                                                        {"endswith", ast::Op::kEndsWith},
                                                        {"glob", ast::Op::kGlob},
                                                        {"matches", ast::Op::kMatches},
                                                        {"in", ast::Op::kIn},
                                                        {"intersects", ast::Op::kIntersects}};
    ast::ExceptionDecl x;
    x.name = Text(ctx->name());
    x.loc = Loc(ctx->name());
    x.has_fields = !ctx->excField().empty();
    for (auto* f : ctx->excField()) {
      x.fields.push_back(BuildOperand(f->operand()));
      ast::Op op = ast::Op::kEq;
      SourceLoc op_loc = Loc(f->operand());
      if (f->cmpOp() || f->strOp() || f->IN() || f->INTERSECTS()) {
        a4::Token* tok = f->cmpOp()   ? f->cmpOp()->getStart()
                         : f->strOp() ? f->strOp()->getStart()
                         : f->IN()    ? f->IN()->getSymbol()
                                      : f->INTERSECTS()->getSymbol();
        op = kOps.at(tok->getText());
        op_loc = Loc(tok);
      }
      x.ops.push_back(op);
      x.op_locs.push_back(op_loc);
    }
    for (auto* item : ctx->excValues()->excItem()) {
      ast::ExceptionTuple t;
      t.loc = Loc(item);
      if (auto* tuple = dynamic_cast<VigilParser::TupleItemContext*>(item)) {
        for (auto* v : tuple->value()) t.values.push_back(BuildValue(v));
      } else {
        auto* single = dynamic_cast<VigilParser::SingleItemContext*>(item);
        t.values.push_back(BuildValue(single->value()));
      }
      x.tuples.push_back(std::move(t));
    }
    return x;
  }

  ast::AppendDecl BuildAppend(VigilParser::AppendDeclContext* ctx) {
    ast::AppendDecl a;
    if (auto* l = dynamic_cast<VigilParser::AppendListContext*>(ctx)) {
      a.kind = ast::AppendDecl::Kind::kList;
      a.name = Text(l->name());
      a.loc = Loc(l->name());
      a.items = BuildListLit(l->listLit()).items;
    } else if (auto* m = dynamic_cast<VigilParser::AppendMacroContext*>(ctx)) {
      a.kind = ast::AppendDecl::Kind::kMacro;
      a.name = Text(m->name());
      a.loc = Loc(m->name());
      a.connective = m->conn->getType() == VigilLexer::AND ? ast::Op::kAnd : ast::Op::kOr;
      a.condition = BuildExpr(m->expr());
    } else if (auto* r = dynamic_cast<VigilParser::AppendRuleContext*>(ctx)) {
      a.kind = ast::AppendDecl::Kind::kRule;
      a.name = Text(r->name());
      a.loc = Loc(r->name());
      for (auto* prop : r->property()) {
        if (auto* x = dynamic_cast<VigilParser::ExceptionPropertyContext*>(prop)) {
          AddException(BuildException(x), a.exceptions);
          continue;
        }
        a4::Token* key = prop->getStart();
        diags_.Add(Code::kBadProperty, Loc(key),
                   "'append rule' adds exceptions only, not " + Quote(Text(key)) +
                       "; to change it, replace the rule with 'override rule " + a.name + "'");
      }
    }
    return a;
  }

  void BuildEventSel(VigilParser::EventSelContext* sel, ast::RuleDecl& r) {
    if (dynamic_cast<VigilParser::AllEventsContext*>(sel)) {
      r.on_all = true;
      return;
    }
    if (auto* l = dynamic_cast<VigilParser::EventListContext*>(sel)) {
      r.on = BuildListLit(l->listLit()).items;
      return;
    }
    if (auto* w = dynamic_cast<VigilParser::EventWordsContext*>(sel)) {
      for (auto* word : w->word()) {
        ast::Value v;
        v.kind = ast::Value::Kind::kWord;
        v.text = Text(word);
        v.loc = Loc(word);
        r.on.push_back(std::move(v));
      }
    }
  }

  void BuildTestFields(VigilParser::TestFieldsContext* ctx, ast::TestCase& tc) {
    for (auto* f : ctx->testField()) {
      ast::Value field = BuildFieldRef(f->fieldRef());
      ast::Value value = BuildValue(f->value());
      tc.fields.emplace_back(std::move(field), std::move(value));
    }
  }

  ast::TestDecl BuildTest(VigilParser::TestDeclContext* ctx) {
    ast::TestDecl t;
    t.rule = Text(ctx->name());
    t.loc = Loc(ctx->name());
    if (ctx->OVERRIDE())
      diags_.Add(Code::kMisplaced, Loc(ctx->OVERRIDE()->getSymbol()),
                 "'override' does not apply to a test: every test block of a rule runs, none "
                 "replaces another; remove 'override'");
    for (auto* c : ctx->testCase()) {
      ast::TestCase tc;
      std::string kind = Text(c->kind);
      tc.loc = Loc(c->kind);
      if (kind == "alert") {
        tc.expect_alert = true;
      } else if (kind == "quiet") {
        tc.expect_alert = false;
      } else {
        diags_.Add(Code::kBadTestCase, tc.loc,
                   "a test case starts with 'alert' or 'quiet', not " + Quote(kind));
        continue;
      }
      if (c->event) {
        tc.event = Text(c->event);
        tc.event_loc = Loc(c->event);
        BuildTestFields(c->testFields(), tc);
      } else {
        int64_t last = 0;
        for (auto* e : c->testEvent()) {
          ast::TestCase one;
          one.expect_alert = tc.expect_alert;
          one.loc = Loc(e);
          one.event = Text(e->event);
          one.event_loc = Loc(e->event);
          if (e->at) {
            one.timed = true;
            if (auto at = ParseDuration(e->at, true)) one.at_ns = *at;
            if (one.at_ns < last)
              diags_.Add(Code::kBadTestCase, Loc(e->at),
                         "the events of a case are in time order: " + e->at->getText() +
                             " is before the event above it");
          } else {
            one.at_ns = last;
          }
          last = std::max(last, one.at_ns);
          BuildTestFields(e->testFields(), one);
          tc.events.push_back(std::move(one));
        }
        if (tc.events.empty()) {
          diags_.Add(Code::kBadTestCase, tc.loc, "a case of several events needs at least one");
          continue;
        }
      }
      t.cases.push_back(std::move(tc));
    }
    return t;
  }

  ast::PolicyDecl BuildPolicy(VigilParser::PolicyDeclContext* ctx) {
    static const std::vector<std::string_view> kPolicyProps = {
        "desc",   "scope",   "rules",    "exclude", "min_severity",
        "action", "enabled", "throttle", "per",     "fold"};
    ast::PolicyDecl p;
    p.name = Text(ctx->name());
    p.loc = Loc(ctx->name());
    p.is_override = ctx->OVERRIDE() != nullptr;
    std::set<std::string> seen;
    for (auto* prop : ctx->property()) {
      if (auto* x = dynamic_cast<VigilParser::ExceptionPropertyContext*>(prop)) {
        diags_.Add(Code::kBadProperty, Loc(x->key),
                   "a policy has no exceptions: write 'exception' in the rule (or in an "
                   "'append rule' block), and take whole rules out with 'exclude'");
        continue;
      }
      if (auto* e = dynamic_cast<VigilParser::ExprPropertyContext*>(prop)) {
        std::string key = Text(e->key);
        if (key == "when") {
          diags_.Add(Code::kBadProperty, Loc(e->key),
                     "a policy has no 'when': conditions belong in a rule's 'when', and a policy "
                     "chooses processes with 'scope'");
          continue;
        }
        if (!AcceptProperty(key, Loc(e->key), "policy", kPolicyProps, seen)) continue;
        p.scope = BuildExpr(e->expr());
        p.scope_loc = Loc(e->expr());
      } else if (auto* o = dynamic_cast<VigilParser::OnPropertyContext*>(prop)) {
        diags_.Add(Code::kBadProperty, Loc(o->key),
                   "a policy has no 'on': event types are chosen by the rules it selects");
      } else if (auto* pl = dynamic_cast<VigilParser::PlainPropertyContext*>(prop)) {
        std::string key = Text(pl->key);
        if (!AcceptProperty(key, Loc(pl->key), "policy", kPolicyProps, seen)) continue;
        auto* v = pl->propertyValue();
        if (key == "desc") {
          auto s = StringValue(v, nullptr);
          if (!s)
            ShapeError(key, Loc(v), "a string");
          else
            p.desc = *s;
        } else if (key == "rules") {
          auto list = ListValue(v);
          if (!list) {
            ShapeError(key, Loc(v),
                       "a list of rule names and tag selectors: rules [tag:execution, my_rule]");
            continue;
          }
          p.has_rules = true;
          p.rules = std::move(*list);
        } else if (key == "exclude") {
          auto list = ListValue(v);
          if (!list) {
            ShapeError(key, Loc(v), "a list of rule names and tag selectors: exclude [tag:noisy]");
            continue;
          }
          p.exclude = std::move(*list);
        } else if (key == "min_severity") {
          auto w = WordValue(v);
          if (!w) {
            ShapeError(key, Loc(v), "a severity: min_severity high");
            continue;
          }
          p.min_severity = ParseSeverity(*w, Loc(v));
          p.min_severity_loc = Loc(v);
        } else if (key == "action") {
          auto w = WordValue(v);
          if (w && *w == "alert")
            p.action = ast::Action::kAlert;
          else if (w && *w == "kill")
            p.action = ast::Action::kKill;
          else
            diags_.Add(Code::kBadEnumValue, Loc(v),
                       "unknown action " + Quote(Text(v)) + "; use alert or kill");
        } else if (key == "enabled") {
          auto b = BoolValue(v);
          if (!b)
            ShapeError(key, Loc(v), "true or false");
          else
            p.enabled = *b;
        } else if (key == "scope") {
          ShapeError(key, Loc(v), "a scope expression");
        } else if (key == "throttle" || key == "per" || key == "fold") {
          // The throttle of every rule it selects that has none of its own.
          ast::RuleDecl holder;
          holder.throttle = p.throttle;
          TimeProperty(key, v, holder);
          p.throttle = holder.throttle;
        }
      }
    }
    return p;
  }

  // ---- expressions ----------------------------------------------------------------

  ast::Expr BuildOr(VigilParser::OrExprContext* ctx) {
    auto parts = ctx->andExpr();
    if (parts.size() == 1) return BuildAnd(parts[0]);
    ast::Expr e;
    e.op = ast::Op::kOr;
    e.loc = Loc(ctx);
    for (auto* p : parts) e.children.push_back(BuildAnd(p));
    return e;
  }

  ast::Expr BuildAnd(VigilParser::AndExprContext* ctx) {
    auto parts = ctx->unaryExpr();
    if (parts.size() == 1) return BuildUnary(parts[0]);
    ast::Expr e;
    e.op = ast::Op::kAnd;
    e.loc = Loc(ctx);
    for (auto* p : parts) e.children.push_back(BuildUnary(p));
    return e;
  }

  ast::Expr BuildUnary(VigilParser::UnaryExprContext* ctx) {
    if (auto* n = dynamic_cast<VigilParser::NotExprContext*>(ctx)) {
      ast::Expr e;
      e.op = ast::Op::kNot;
      e.loc = Loc(n);
      e.children.push_back(BuildUnary(n->unaryExpr()));
      return e;
    }
    auto* a = dynamic_cast<VigilParser::AtomExprContext*>(ctx);
    ast::Expr e = BuildAtom(a->atom());
    if (a->FOLLOW()) e.follow = true;
    return e;
  }

  ast::Expr BuildAtom(VigilParser::AtomContext* ctx) {
    ast::Expr e;
    e.loc = Loc(ctx);
    if (auto* p = dynamic_cast<VigilParser::ParenAtomContext*>(ctx)) return BuildExpr(p->expr());
    if (auto* x = dynamic_cast<VigilParser::ExistsAtomContext*>(ctx)) {
      e.op = ast::Op::kExists;
      e.lhs = BuildFieldRef(x->fieldRef());
    } else if (auto* c = dynamic_cast<VigilParser::CompareAtomContext*>(ctx)) {
      static const std::map<std::string, ast::Op> kOps = {
          {"==", ast::Op::kEq}, {"!=", ast::Op::kNe}, {"<", ast::Op::kLt},
          {"<=", ast::Op::kLe}, {">", ast::Op::kGt},  {">=", ast::Op::kGe}};
      e.op = kOps.at(Text(c->op));
      e.lhs = BuildOperand(c->left);
      e.rhs = BuildOperand(c->right);
    } else if (auto* s = dynamic_cast<VigilParser::StringAtomContext*>(ctx)) {
      static const std::map<std::string, ast::Op> kOps = {{"contains", ast::Op::kContains},
                                                          {"icontains", ast::Op::kIContains},
                                                          {"startswith", ast::Op::kStartsWith},
                                                          {"endswith", ast::Op::kEndsWith},
                                                          {"glob", ast::Op::kGlob},
                                                          {"matches", ast::Op::kMatches}};
      e.op = kOps.at(Text(s->op));
      e.lhs = BuildOperand(s->left);
      e.rhs = BuildOperand(s->right);
    } else if (auto* sl = dynamic_cast<VigilParser::StringListAtomContext*>(ctx)) {
      const std::string op = Text(sl->op);
      if (op == "glob" || op == "matches") {
        StringOpOnList(sl);
        e.op = ast::Op::kBare;  // stands in as `true`: reported once, no cascade
        e.lhs.kind = ast::Value::Kind::kBool;
        e.lhs.boolean = true;
      } else {
        // Falco's pmatch: any of the strings (prefixes, suffixes, substrings).
        static const std::map<std::string, ast::Op> kOps = {{"contains", ast::Op::kContains},
                                                            {"icontains", ast::Op::kIContains},
                                                            {"startswith", ast::Op::kStartsWith},
                                                            {"endswith", ast::Op::kEndsWith}};
        e.op = kOps.at(op);
        e.lhs = BuildOperand(sl->left);
        e.rhs = BuildListLit(sl->right);
      }
    } else if (auto* i = dynamic_cast<VigilParser::InAtomContext*>(ctx)) {
      e.op = i->NOT() ? ast::Op::kNotIn : ast::Op::kIn;
      e.lhs = BuildOperand(i->left);
      e.rhs = BuildSet(i->right);
    } else if (auto* x = dynamic_cast<VigilParser::IntersectsAtomContext*>(ctx)) {
      e.op = ast::Op::kIntersects;
      e.lhs = BuildOperand(x->left);
      e.rhs = BuildSet(x->right);
    } else if (auto* b = dynamic_cast<VigilParser::BareAtomContext*>(ctx)) {
      e.op = ast::Op::kBare;
      e.lhs = BuildOperand(b->operand());
    }
    return e;
  }

  // `file.path glob [a, b]`: a pattern operator takes one pattern. Several patterns are
  // written as tests joined with `or`; the message spells that out with the user's own field
  // and values.
  void StringOpOnList(VigilParser::StringListAtomContext* ctx) {
    const std::string op = Text(ctx->op);
    const std::string field = Text(ctx->left);
    std::string example;
    auto items = ctx->right->listItem();
    for (size_t i = 0; i < items.size() && i < 2; ++i) {
      std::string item = Text(items[i]);
      if (CodePointCount(item) > 40) item = QuoteToken(item);
      example += (i ? " or " : "") + field + " " + op + " " + item;
    }
    if (items.size() > 2) example += " or ...";
    std::string message = Quote(op) + " takes one pattern, not a list";
    message += ": to test several patterns, join the tests with 'or'";
    if (!example.empty()) message += ": " + example;
    diags_.Add(Code::kTypeMismatch, Loc(ctx->right), message)
        .notes.push_back(op == "matches"
                             ? "or write one regular expression with alternatives: '^(a|b)$'"
                             : "startswith, endswith and contains take a list: any of its items");
  }

  ast::Value BuildOperand(VigilParser::OperandContext* ctx) {
    if (auto* l = dynamic_cast<VigilParser::LiteralOperandContext*>(ctx))
      return BuildLiteral(l->literal());
    if (auto* c = dynamic_cast<VigilParser::CallOperandContext*>(ctx)) return BuildCall(c->call());
    auto* f = dynamic_cast<VigilParser::FieldOperandContext*>(ctx);
    return BuildFieldRef(f->fieldRef());
  }

  ast::Value BuildCall(VigilParser::CallContext* ctx) {
    ast::Value v;
    v.kind = ast::Value::Kind::kCall;
    v.text = ctx->fn->getText();
    v.loc = Loc(ctx);
    for (auto* arg : ctx->operand()) v.items.push_back(BuildOperand(arg));
    return v;
  }

  ast::Value BuildSet(VigilParser::SetExprContext* ctx) {
    if (auto* l = dynamic_cast<VigilParser::ListSetContext*>(ctx))
      return BuildListLit(l->listLit());
    if (auto* c = dynamic_cast<VigilParser::CallSetContext*>(ctx)) return BuildCall(c->call());
    auto* n = dynamic_cast<VigilParser::NamedSetContext*>(ctx);
    ast::Value v;
    v.kind = ast::Value::Kind::kListRef;
    v.text = n->IDENT()->getText();
    v.loc = Loc(n->IDENT()->getSymbol());
    return v;
  }

  ast::Value BuildFieldRef(VigilParser::FieldRefContext* ctx) {
    ast::Value v;
    v.kind = ast::Value::Kind::kField;
    v.text = ctx->IDENT(0)->getText();
    v.loc = Loc(ctx->IDENT(0)->getSymbol());
    if (ctx->key) {
      v.key = ctx->key->getText();
      v.loc = Loc(ctx);
    }
    if (ctx->INT()) {
      v.index = static_cast<int>(ParseInt(ctx->INT()->getSymbol()));
      v.loc = Loc(ctx);
    }
    return v;
  }

  // ---- values ---------------------------------------------------------------------

  ast::Value BuildValue(VigilParser::ValueContext* ctx) {
    if (ctx->literal()) return BuildLiteral(ctx->literal());
    if (ctx->listLit()) return BuildListLit(ctx->listLit());
    return Word(ctx->word());
  }

  ast::Value Word(VigilParser::WordContext* w) {
    ast::Value v;
    v.kind = ast::Value::Kind::kWord;
    v.text = Text(w);
    v.loc = Loc(w);
    return v;
  }

  ast::Value BuildListLit(VigilParser::ListLitContext* ctx) {
    ast::Value v;
    v.kind = ast::Value::Kind::kList;
    v.loc = Loc(ctx);
    for (auto* item : ctx->listItem()) {
      if (auto* n = dynamic_cast<VigilParser::NestedItemContext*>(item)) {
        // Reported once and left out, so that nothing else is reported about it.
        diags_.Add(Code::kSyntax, Loc(n),
                   "a list cannot hold a list written in brackets: lists nest by name, so "
                   "declare 'list other = [...]' and write [a, other], or write the items in "
                   "this list");
        continue;
      }
      v.items.push_back(BuildListItem(item));
    }
    return v;
  }

  ast::Value BuildListItem(VigilParser::ListItemContext* ctx) {
    if (auto* q = dynamic_cast<VigilParser::QualifiedItemContext*>(ctx)) {
      ast::Value v;
      v.kind = ast::Value::Kind::kQualified;
      v.loc = Loc(q);
      v.text = Text(q->qualifier);
      v.items.push_back(BuildListAtom(q->qualifier));
      v.items.push_back(BuildListAtom(q->item));
      return v;
    }
    if (auto* r = dynamic_cast<VigilParser::RangeItemContext*>(ctx)) {
      ast::Value v;
      v.kind = ast::Value::Kind::kRange;
      v.loc = Loc(r);
      v.number = ParseInt(r->lo);
      v.number_hi = ParseInt(r->hi);
      return v;
    }
    if (auto* c = dynamic_cast<VigilParser::CallItemContext*>(ctx)) return BuildCall(c->call());
    auto* p = dynamic_cast<VigilParser::PlainItemContext*>(ctx);
    return BuildListAtom(p->listAtom());
  }

  ast::Value BuildListAtom(VigilParser::ListAtomContext* ctx) {
    if (ctx->word()) return Word(ctx->word());
    return LiteralToken(ctx->getStart());
  }

  ast::Value BuildLiteral(VigilParser::LiteralContext* ctx) {
    return LiteralToken(ctx->getStart());
  }

  ast::Value LiteralToken(a4::Token* tok) {
    ast::Value v;
    v.loc = Loc(tok);
    switch (tok->getType()) {
      case VigilLexer::STRING:
      case VigilLexer::RAWSTRING:
        v.kind = ast::Value::Kind::kString;
        v.text = DecodeString(tok);
        break;
      case VigilLexer::INT:
        v.kind = ast::Value::Kind::kInt;
        v.number = ParseInt(tok);
        break;
      case VigilLexer::TRUE:
      case VigilLexer::FALSE:
        v.kind = ast::Value::Kind::kBool;
        v.boolean = tok->getType() == VigilLexer::TRUE;
        break;
      case VigilLexer::DOTNAME:
        // Kept as the string it was meant to be, so that nothing else is reported about it.
        v.kind = ast::Value::Kind::kString;
        v.text = tok->getText();
        diags_.Add(
            Code::kSyntax, v.loc,
            QuoteToken(v.text) + " starts with a dot: quote names that do, \"" + v.text + "\"");
        break;
      default:
        v.kind = ast::Value::Kind::kWord;
        v.text = tok->getText();
    }
    return v;
  }

  std::string DecodeString(a4::Token* tok) {
    std::string out;
    UnescapeError err;
    if (!UnescapeStringLiteral(tok->getText(), out, err)) {
      SourceLoc loc = Loc(tok);
      loc.column += static_cast<uint32_t>(err.offset);
      loc.length = 2;
      diags_.Add(Code::kBadString, loc, err.message);
    }
    return out;
  }

  int64_t ParseInt(a4::Token* tok) {
    std::string text = tok->getText();
    bool negative = !text.empty() && text[0] == '-';
    std::string_view digits = std::string_view(text).substr(negative ? 1 : 0);
    int base = 10;
    if (digits.rfind("0x", 0) == 0)
      base = 16, digits.remove_prefix(2);
    else if (digits.rfind("0o", 0) == 0)
      base = 8, digits.remove_prefix(2);
    uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (ec != std::errc() || value > static_cast<uint64_t>(INT64_MAX)) {
      diags_.Add(Code::kSyntax, Loc(tok), "number " + Quote(text) + " is out of range");
      return 0;
    }
    (void)ptr;
    return negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
  }

  uint32_t file_;
  Diagnostics& diags_;
};

// Reports tokens the lexer could only mark as broken.
void ReportLexerProblems(a4::CommonTokenStream& tokens, uint32_t file, Diagnostics& diags) {
  for (auto* tok : tokens.getTokens()) {
    SourceLoc loc{file, static_cast<uint32_t>(tok->getLine()),
                  static_cast<uint32_t>(tok->getCharPositionInLine() + 1), 1};
    if (tok->getType() == VigilLexer::UNTERMINATED_STRING) {
      diags.Add(Code::kSyntax, loc,
                "unterminated string: a string must end with its opening "
                "quote on the same line");
    } else if (tok->getType() == VigilLexer::BAD_CHAR) {
      diags.Add(Code::kSyntax, loc, "unexpected character " + Quote(tok->getText()));
    }
  }
}

// ANTLR's parser and the AST builder recurse once per nesting level (each `(` and each `not`
// that applies to what follows), so the token stream is checked before parsing: the first token
// that nests deeper than kMaxNestingDepth is reported, and the file is not parsed at all.
// `not` applies to everything up to the end of the next atom, so a run of `not`s nests until a
// token other than `not` or `(` ends it; `(` nests until its `)`.
bool CheckNestingDepth(a4::CommonTokenStream& tokens, uint32_t file, Diagnostics& diags) {
  struct Level {
    int base;  // depth of the enclosing `(` level
    int nots;  // `not`s open before it
  };
  std::vector<Level> open;
  int base = 0, nots = 0;
  for (auto* tok : tokens.getTokens()) {
    const size_t type = tok->getType();
    // Punctuation has no token name of its own (T__n); it is recognised by its text.
    const bool punct = type != a4::Token::EOF && type < VigilLexer::LIST;
    if (type == VigilLexer::NOT) {
      ++nots;
    } else if (punct && tok->getText() == "(") {
      open.push_back({base, nots});
      base += nots + 1;
      nots = 0;
    } else if (punct && tok->getText() == ")") {
      if (!open.empty()) {
        base = open.back().base;
        open.pop_back();
      }
      nots = 0;
    } else {
      nots = 0;
      continue;
    }
    if (base + nots > kMaxNestingDepth) {
      SourceLoc loc{file, static_cast<uint32_t>(tok->getLine()),
                    static_cast<uint32_t>(tok->getCharPositionInLine() + 1),
                    std::max<uint32_t>(1, CodePointCount(tok->getText()))};
      diags
          .Add(Code::kNestingTooDeep, loc,
               "expression nested more than " + std::to_string(kMaxNestingDepth) +
                   " levels deep (parentheses, 'not' and calls); the file is not analysed")
          .notes.push_back("split the condition into macros, or write `not not x` as `x`");
      return false;
    }
  }
  return true;
}

// Runs the generated parser over a file with our error reporting, on the tokens of the generated
// lexer (which reports every lexical problem) or on tokens scanned already (ScanTokens).
struct ParseRun {
  ParseRun(const std::string& text, uint32_t file, Diagnostics& diags)
      : input(std::make_unique<a4::ANTLRInputStream>(text)),
        source(std::make_unique<VigilLexer>(input.get())),
        tokens(source.get()),
        parser(&tokens),
        errors(file, diags) {
    static_cast<VigilLexer*>(source.get())->removeErrorListeners();
    Start();
    ReportLexerProblems(tokens, file, diags);
  }
  ParseRun(std::unique_ptr<a4::TokenSource> scanned, uint32_t file, Diagnostics& diags)
      : source(std::move(scanned)), tokens(source.get()), parser(&tokens), errors(file, diags) {
    Start();
  }
  void Start() {
    parser.removeErrorListeners();
    parser.addErrorListener(&errors);
    tokens.fill();
  }
  std::unique_ptr<a4::ANTLRInputStream> input;  // with the generated lexer
  std::unique_ptr<a4::TokenSource> source;
  a4::CommonTokenStream tokens;
  VigilParser parser;
  SyntaxErrorCollector errors;
};

}  // namespace

size_t SanitizeUtf8(std::string& text) {
  size_t first_bad = std::string::npos;
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      if (first_bad == std::string::npos) first_bad = i;
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(text, i, len);
    i += len;
  }
  if (first_bad != std::string::npos) text = std::move(out);
  return first_bad;
}

ast::File ParseFile(const SourceSet& sources, uint32_t file_id, Diagnostics& diags) {
  std::string text = sources.file(file_id).text;
  size_t bad = SanitizeUtf8(text);
  if (bad != std::string::npos) {
    const std::string& orig = sources.file(file_id).text;
    uint32_t line = 1, col = 1;
    for (size_t i = 0; i < bad; ++i) {
      if (orig[i] == '\n')
        line++, col = 1;
      else if ((static_cast<unsigned char>(orig[i]) & 0xC0) != 0x80)
        ++col;
    }
    diags.Add(Code::kBadString, SourceLoc{file_id, line, col, 1},
              "the file is not valid UTF-8 (first invalid byte here); .vgl files must be UTF-8");
  }
  // Two-stage parse: the fast SLL prediction mode first, bailing out at the first problem;
  // only a file that fails it is parsed again with full LL and error recovery, which is
  // what reports every syntax error.
  {
    // The hand-made scanner's tokens when it finds no lexical problem (it gives up on one, and
    // the generated lexer, which reports it, runs instead).
    Diagnostics scratch;
    std::optional<ParseRun> run_fast;
    if (auto scanned = ScanTokens(text))
      run_fast.emplace(std::move(scanned), file_id, scratch);
    else
      run_fast.emplace(text, file_id, scratch);
    ParseRun& fast = *run_fast;
    if (!CheckNestingDepth(fast.tokens, file_id, scratch)) {
      diags.Merge(std::move(scratch));
      ast::File refused;
      refused.id = file_id;
      return refused;
    }
    if (scratch.all().empty()) {
      fast.parser.removeErrorListeners();
      fast.parser.setErrorHandler(std::make_shared<a4::BailErrorStrategy>());
      fast.parser.getInterpreter<a4::atn::ParserATNSimulator>()->setPredictionMode(
          a4::atn::PredictionMode::SLL);
      try {
        auto* tree = fast.parser.file();
        AstBuilder builder(file_id, diags);
        return builder.Build(tree, /*may_have_errors=*/false);
      } catch (const a4::ParseCancellationException&) {
        // fall through to the full parse
      }
    }
  }
  ParseRun run(text, file_id, diags);
  auto* tree = run.parser.file();
  AstBuilder builder(file_id, diags);
  return builder.Build(tree, /*may_have_errors=*/true);
}

std::optional<ast::Expr> ParseExpression(const SourceSet& sources, uint32_t file_id,
                                         Diagnostics& diags) {
  std::string text = sources.file(file_id).text;
  SanitizeUtf8(text);
  size_t before = diags.errors();
  ParseRun run(text, file_id, diags);
  if (!CheckNestingDepth(run.tokens, file_id, diags)) return std::nullopt;
  auto* expr = run.parser.expr();
  if (!run.parser.isMatchedEOF() && run.tokens.LA(1) != a4::Token::EOF) {
    auto* tok = run.tokens.LT(1);
    diags.Add(Code::kSyntax,
              SourceLoc{file_id, static_cast<uint32_t>(tok->getLine()),
                        static_cast<uint32_t>(tok->getCharPositionInLine() + 1), 1},
              "unexpected " + Quote(tok->getText()) + " after the end of the expression");
  }
  if (diags.errors() > before || HasErrors(expr)) return std::nullopt;
  AstBuilder builder(file_id, diags);
  return builder.BuildExpr(expr);
}

}  // namespace vigil::lang
