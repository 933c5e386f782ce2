// Unit tests of the language front end: literals, suggestions, values, scopes and the passes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analyze_text.h"
#include "lang/limits.h"
#include "lang/parser.h"
#include "lang/pipeline.h"
#include "lang/reachability.h"
#include "lang/scope_parser.h"
#include "lang/string_literal.h"
#include "lang/suggest.h"
#include "lang/values.h"
#include "output/terminal_text.h"

namespace vigil::lang {
namespace {

using test_support::AnalyzeText;

TEST(StringLiteral, DecodesEscapes) {
  std::string out;
  UnescapeError err;
  ASSERT_TRUE(UnescapeStringLiteral(R"("a\"b\\c\n\t\x41\u{e9}")", out, err));
  EXPECT_EQ(out, "a\"b\\c\n\tA\xC3\xA9");
}

TEST(StringLiteral, RawStringsKeepBackslashes) {
  std::string out;
  UnescapeError err;
  ASSERT_TRUE(UnescapeStringLiteral(R"('^/proc/\d+/mem$')", out, err));
  EXPECT_EQ(out, R"(^/proc/\d+/mem$)");
}

TEST(StringLiteral, ReportsBadEscapeWithOffset) {
  std::string out;
  UnescapeError err;
  EXPECT_FALSE(UnescapeStringLiteral(R"("ab\qc")", out, err));
  EXPECT_EQ(err.offset, 3u);  // the backslash, counted from the opening quote
  EXPECT_FALSE(UnescapeStringLiteral(R"("\u{110000}")", out, err));
  EXPECT_FALSE(UnescapeStringLiteral(R"("\x4")", out, err));
}

TEST(Utf8, SanitizeReplacesInvalidSequences) {
  std::string s = "ok\xff\xc3(\xe2\x82\xac";
  EXPECT_EQ(SanitizeUtf8(s), 2u);
  EXPECT_EQ(s, "ok\xEF\xBF\xBD\xEF\xBF\xBD(\xe2\x82\xac");
  std::string good = "caf\xC3\xA9";
  EXPECT_EQ(SanitizeUtf8(good), std::string::npos);
  std::string overlong = "\xC0\xAF";  // overlong '/'
  EXPECT_NE(SanitizeUtf8(overlong), std::string::npos);
}

TEST(Suggest, FindsTranspositionsAndTypos) {
  std::vector<std::string_view> names = {"high", "low", "medium", "critical", "info"};
  EXPECT_EQ(Suggest("hgih", names), std::vector<std::string>{"high"});
  EXPECT_EQ(Suggest("critcal", names), std::vector<std::string>{"critical"});
  EXPECT_TRUE(Suggest("zzzzzz", names).empty());
  EXPECT_EQ(DidYouMean({"a", "b"}), " (did you mean 'a' or 'b'?)");
}

TEST(Values, Globs) {
  EXPECT_TRUE(CheckGlob("/tmp/*.sh"));
  EXPECT_TRUE(CheckGlob("/tmp/[!a-z]?"));
  EXPECT_TRUE(CheckGlob("[]]"));
  EXPECT_FALSE(CheckGlob("/tmp/[abc"));
  EXPECT_FALSE(CheckGlob("x\\"));
}

TEST(Values, CidrContains) {
  auto net = ParseCidr("10.0.0.0/8");
  ASSERT_TRUE(net) << net.error();
  EXPECT_TRUE(net->Contains(*ParseIpAddress("10.200.3.4")));
  EXPECT_FALSE(net->Contains(*ParseIpAddress("11.0.0.1")));
  EXPECT_FALSE(net->Contains(*ParseIpAddress("::1")));
  auto v6 = ParseCidr("fe80::/10");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->Contains(*ParseIpAddress("fe80::1")));
  EXPECT_FALSE(ParseCidr("10.0.0.0/33"));
  EXPECT_FALSE(ParseCidr("10.0.0.0"));
  EXPECT_FALSE(ParseCidr("10.0.0.0/x"));
}

// ParseScope on `text`; on failure `error` gets each finding as "line:col: message (note)".
std::optional<Scope> ScopeFromText(std::string_view text, std::string* error) {
  SourceSet sources;
  auto scope = ParseScope(sources, sources.Add("<scope>", std::string(text)));
  if (scope) return std::move(*scope);
  error->clear();
  for (const auto& d : scope.error().all()) {
    *error += std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column) + ": " + d.message;
    for (const auto& n : d.notes) *error += " (" + n + ")";
    *error += "\n";
  }
  return std::nullopt;
}

TEST(Scope, ParsesKernelFilters) {
  std::string error;
  auto scope = ScopeFromText(
      "comm in [vigil-e2e-x] follow and uid >= 1000 and uid < 2000 and not container", &error);
  ASSERT_TRUE(scope) << error;
  ASSERT_EQ(scope->filters.size(), 3u);
  EXPECT_EQ(scope->filters[0].kind, ScopeFilterKind::kComm);
  EXPECT_TRUE(scope->filters[0].follow);
  EXPECT_EQ(scope->filters[0].values[0].text, "vigil-e2e-x");
  EXPECT_EQ(scope->filters[1].kind, ScopeFilterKind::kUid);
  EXPECT_EQ(scope->filters[1].values[0].lo, 1000u);
  EXPECT_EQ(scope->filters[1].values[0].hi, 1999u);
  EXPECT_EQ(scope->filters[2].kind, ScopeFilterKind::kContainer);
  EXPECT_TRUE(scope->filters[2].negated);
  EXPECT_TRUE(scope->follow());
}

TEST(Scope, FollowStaysOnItsFilter) {
  std::string error;
  auto scope =
      ScopeFromText("comm in [nginx] follow and uid == 0 and binary in [\"/x\"] follow", &error);
  ASSERT_TRUE(scope) << error;
  ASSERT_EQ(scope->filters.size(), 3u);
  EXPECT_TRUE(scope->filters[0].follow);
  EXPECT_FALSE(scope->filters[1].follow);
  EXPECT_TRUE(scope->filters[2].follow);
  EXPECT_FALSE(ScopeFromText("comm in [a] follow and uid == 0 follow and gid == 0 follow", &error));
  EXPECT_NE(error.find("at most 2 filters"), std::string::npos) << error;
}

TEST(Scope, BinaryWithMountNamespaceAndRanges) {
  std::string error;
  auto scope = ScopeFromText(
      R"(binary in ["/usr/bin/a", 4026531840:"/usr/bin/b"] and pid in [1..10, 42])", &error);
  ASSERT_TRUE(scope) << error;
  EXPECT_EQ(scope->filters[0].values[1].mntns, 4026531840u);
  EXPECT_EQ(scope->filters[0].values[1].text, "/usr/bin/b");
  EXPECT_EQ(scope->filters[1].values[0].lo, 1u);
  EXPECT_EQ(scope->filters[1].values[0].hi, 10u);
  EXPECT_EQ(scope->filters[1].values[1].lo, 42u);
}

TEST(Scope, GlobalIsEmpty) {
  std::string error;
  auto scope = ScopeFromText("global", &error);
  ASSERT_TRUE(scope) << error;
  EXPECT_TRUE(scope->filters.empty());
}

TEST(Scope, RejectsWhatTheKernelCannotEvaluate) {
  std::string error;
  EXPECT_FALSE(ScopeFromText("proc.name == \"x\"", &error));
  EXPECT_NE(error.find("rule's 'when'"), std::string::npos) << error;
  EXPECT_FALSE(ScopeFromText("uid == 0 or gid == 0", &error));
  EXPECT_NE(error.find("'and' only"), std::string::npos) << error;
  EXPECT_FALSE(ScopeFromText("comm startswith \"ng\"", &error));
  EXPECT_FALSE(ScopeFromText("comm in [abcdefghijklmnopq]", &error));
  EXPECT_FALSE(ScopeFromText("uid in [1000] and uid in [2000]", &error));
  EXPECT_FALSE(ScopeFromText("uid in [1..2, 3..4, 5..6, 7..8, 9..10]", &error));
  EXPECT_NE(error.find("at most 4"), std::string::npos) << error;
  EXPECT_TRUE(ScopeFromText("uid in [1..2, 3..4, 5..6, 7..8, 9, 11]", &error)) << error;
  EXPECT_FALSE(ScopeFromText("mntns >= 4026531840", &error));
  EXPECT_FALSE(ScopeFromText("cgroup in [1..5]", &error));
  EXPECT_FALSE(ScopeFromText("uid in [5..3]", &error));
  EXPECT_FALSE(ScopeFromText("comm in [\"\"]", &error));
  EXPECT_FALSE(ScopeFromText("uts in [\"" + std::string(64, 'h') + "\"]", &error));
  EXPECT_TRUE(ScopeFromText("uts in [\"" + std::string(63, 'h') + "\"]", &error)) << error;
  EXPECT_FALSE(ScopeFromText("binary in [\"/" + std::string(1023, 'b') + "\"]", &error));
  EXPECT_TRUE(ScopeFromText("binary in [\"/" + std::string(1022, 'b') + "\"]", &error)) << error;
  EXPECT_FALSE(ScopeFromText("uid == ", &error));
  EXPECT_NE(error.find("1:"), std::string::npos) << error;
}

TEST(Passes, MacrosExpandIntoRules) {
  auto a = AnalyzeText({R"(
    macro is_shell = proc.name in [bash, sh]
    rule r { desc "d" severity low on exec when is_shell and not evt.failed }
    test r { alert exec { proc.name: "sh" } }
  )"});
  EXPECT_EQ(a->diags.errors(), 0u) << a->codes().size();
  const auto* rule = a->program.rules.at("r");
  ASSERT_TRUE(rule->when);
  EXPECT_EQ(rule->when->op, ast::Op::kAnd);
  EXPECT_EQ(rule->when->children[0].op, ast::Op::kIn);
  EXPECT_EQ(rule->when->children[0].from_macro, "is_shell");
  ASSERT_TRUE(rule->when->children[0].lhs.field);
  EXPECT_EQ(Field(*rule->when->children[0].lhs.field).name, "proc.name");
  EXPECT_EQ(rule->events, Bit(EventType::kExec));
}

TEST(Passes, NamesAreGlobalAcrossFiles) {
  auto a = AnalyzeText({"list shells = [bash]",
                        R"(rule r { desc "d" severity low on exec when proc.name in shells }
                           test r { alert exec { proc.name: "bash" } })"});
  EXPECT_TRUE(a->codes().empty());
}

TEST(Passes, OverrideReplacesEarlierDeclaration) {
  auto a =
      AnalyzeText({R"(rule r { desc "old" severity low on exec when proc.name == "a" }
                           test r { alert exec { proc.name: "a" } })",
                   R"(override rule r { desc "new" severity low on exec when proc.name == "a" })"});
  EXPECT_EQ(a->diags.errors(), 0u);
  EXPECT_EQ(a->program.rules.at("r")->desc, "new");
  EXPECT_EQ(a->codes(), std::vector<std::string>{"V036"});
}

TEST(Passes, ConstantsResolveForFlagsAndInts) {
  auto a = AnalyzeText({R"(rule r { desc "d" severity low on open
                             when open.flags contains O_TRUNC and proc.uid != 0 }
                           test r { alert open { open.flags: [O_WRONLY, O_TRUNC] } })"});
  EXPECT_EQ(a->diags.errors(), 0u);
  const auto& cond = a->program.rules.at("r")->when->children[0];
  ASSERT_TRUE(cond.rhs.constant);
  EXPECT_EQ(*cond.rhs.constant, 01000);
}

TEST(Passes, PoliciesGetSlotsAndRules) {
  auto a = AnalyzeText({R"(
    rule a { desc "d" severity low tags [x] on exec when proc.name == "a" }
    rule b { desc "d" severity low tags [x] on exec when proc.name == "b" enabled false }
    rule c { desc "d" severity low tags [y] on exec when proc.name == "c" }
    test a { alert exec { proc.name: "a" } }
    test b { alert exec { proc.name: "b" } }
    test c { alert exec { proc.name: "c" } }
    policy off { enabled false rules [a] }
    policy p1 { scope uid >= 1000 rules [tag:x] }
    policy p2 { rules [c, tag:x] }
  )"});
  EXPECT_EQ(a->diags.errors(), 0u);
  ASSERT_EQ(a->program.policies.size(), 2u);
  EXPECT_EQ(a->program.policies[0].index, 0u);
  EXPECT_EQ(a->program.policies[0].rules.size(), 1u);  // b is disabled
  EXPECT_EQ(a->program.policies[1].index, 1u);
  ASSERT_EQ(a->program.policies[1].rules.size(), 2u);
  EXPECT_EQ(a->program.policies[1].rules[0]->name, "a");  // declaration order
  EXPECT_EQ(a->program.policies[1].rules[1]->name, "c");
}

TEST(Passes, SyntaxErrorsDoNotCascade) {
  auto a = AnalyzeText({R"(
    rule broken { desc "d" severity low on exec when proc.name == }
    policy p { rules [broken] }
  )"});
  // The broken rule is reported once (V001); the policy naming it is not "unknown rule".
  auto codes = a->codes();
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "V001"), 1);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "V005"), 0);
}

// ---- limits (issue 13, items 1 and 2): input past them is a finding, never a crash ------

std::string Repeat(std::string_view piece, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += piece;
  return out;
}

std::string RuleWhen(const std::string& condition) {
  return "rule r { desc \"d\" severity low on exec when " + condition +
         " }\ntest r { alert exec { proc.name: \"x\" } }\n";
}

size_t Count(const std::vector<std::string>& codes, const char* code) {
  return static_cast<size_t>(std::count(codes.begin(), codes.end(), code));
}

TEST(Limits, DeepParenthesesAreRefusedBeforeParsing) {
  // 5,000 levels overflowed the stack in the parser and the AST builder.
  auto a = AnalyzeText({RuleWhen(Repeat("(", 5000) + "proc.name == \"x\"" + Repeat(")", 5000))});
  EXPECT_EQ(a->codes(), std::vector<std::string>{"V042"});
  const auto& d = a->diags.all().at(0);
  EXPECT_EQ(d.loc.line, 1u);
  // The first '(' past the limit: "rule r { ... when " is 44 characters long.
  EXPECT_EQ(d.loc.column, 45u + kMaxNestingDepth);
}

TEST(Limits, DeepNotIsRefused) {
  auto a = AnalyzeText({RuleWhen(Repeat("not ", 10000) + "proc.name == \"x\"")});
  EXPECT_EQ(a->codes(), std::vector<std::string>{"V042"});
  // `not` mixed with parentheses and calls counts too.
  auto b = AnalyzeText({RuleWhen(Repeat("not (", 150) + "proc.name == \"x\"" + Repeat(")", 150))});
  EXPECT_EQ(Count(b->codes(), "V042"), 1u);
  auto c = AnalyzeText(
      {RuleWhen("lower(" + Repeat("lower(", 300) + "proc.name" + Repeat(")", 301) + " == \"x\"")});
  EXPECT_EQ(Count(c->codes(), "V042"), 1u);
}

TEST(Limits, NestingUpToTheLimitIsAccepted) {
  // Many `not`s and parentheses one after another do not add up; only nesting does.
  auto a = AnalyzeText(
      {RuleWhen(Repeat("(", kMaxNestingDepth) + "proc.name == \"x\"" +
                Repeat(")", kMaxNestingDepth) + Repeat(" and not (not proc.name == \"y\")", 500))});
  EXPECT_EQ(Count(a->codes(), "V042"), 0u) << a->diags.all().at(0).message;
  EXPECT_EQ(a->diags.errors(), 0u);
  auto b = AnalyzeText({RuleWhen(Repeat("(", kMaxNestingDepth + 1) + "proc.name == \"x\"" +
                                 Repeat(")", kMaxNestingDepth + 1))});
  EXPECT_EQ(b->codes(), std::vector<std::string>{"V042"});
}

TEST(Limits, DeepScopeExpressionIsRefused) {
  Program program;
  Diagnostics diags;
  uint32_t id =
      program.sources.Add("<scope>", Repeat("(", 5000) + "comm == bash" + Repeat(")", 5000));
  EXPECT_FALSE(ParseExpression(program.sources, id, diags));
  ASSERT_EQ(diags.all().size(), 1u);
  EXPECT_STREQ(diags.all()[0].id(), "V042");
}

TEST(Limits, DoublingMacrosStopAtTheSizeLimit) {
  // `m{i} = m{i-1} or m{i-1}` 24 times took more than 3.5 GB and did not finish.
  std::string text = "macro m0 = proc.name == \"x\"\n";
  for (int i = 1; i <= 24; ++i)
    text += "macro m" + std::to_string(i) + " = m" + std::to_string(i - 1) + " or m" +
            std::to_string(i - 1) + "\n";
  text += RuleWhen("m24");
  auto a = AnalyzeText({text});
  // Reported once, where the limit is crossed: m14 = m13 or m13 is 32,767 nodes; m13 is 16,383.
  EXPECT_EQ(a->codes(), std::vector<std::string>{"V043"});
  const auto& d = a->diags.all().at(0);
  EXPECT_EQ(d.loc.line, 14u);  // macro m13 = m12 or m12: its second use of m12
  EXPECT_NE(d.message.find("10000"), std::string::npos) << d.message;
  const auto* rule = a->program.rules.at("r");
  ASSERT_TRUE(rule->when);
  EXPECT_TRUE(rule->when->children.empty());  // stands in as `true`, not copied
}

TEST(Limits, LongMacroChainsStopAtTheDepthLimit) {
  // 3,000 chained macros took 6 GB; each adds a level, so the chain is refused at 200.
  std::string text = "macro c0 = proc.name == \"x\"\n";
  std::string alias;
  for (int i = 1; i <= 3000; ++i)
    text += "macro c" + std::to_string(i) + " = c" + std::to_string(i - 1) +
            " and proc.pid != " + std::to_string(i) + "\n";
  // Each macro uses the next, declared after it: expanding recurses once per macro.
  for (int i = 0; i < 3000; ++i)
    alias += "macro a" + std::to_string(i) + " = a" + std::to_string(i + 1) + "\n";
  alias += "macro a3000 = proc.name == \"x\"\n";
  auto a = AnalyzeText({text + RuleWhen("c3000")});
  EXPECT_EQ(a->codes(), std::vector<std::string>{"V042"});
  EXPECT_EQ(a->diags.all().at(0).loc.line, 201u);  // c200 = c199 and ...: 201 levels
  auto b = AnalyzeText({alias + RuleWhen("a0")});
  EXPECT_GE(Count(b->codes(), "V042"), 1u);
  for (const auto& code : b->codes()) EXPECT_EQ(code, "V042");
}

TEST(Limits, MacrosWithinTheLimitsExpand) {
  std::string text = "macro m0 = proc.name == \"x\"\n";
  for (int i = 1; i <= 12; ++i)  // 8,191 nodes
    text += "macro m" + std::to_string(i) + " = m" + std::to_string(i - 1) + " or m" +
            std::to_string(i - 1) + "\n";
  auto a = AnalyzeText({text + RuleWhen("m12")});
  EXPECT_EQ(a->diags.errors(), 0u);
  EXPECT_EQ(a->program.rules.at("r")->when->children.size(), 2u);
}

// ---- loading (issue 13: items 4, 5, 9) ------------------------------------------------

struct ScratchDir {
  ScratchDir() {
    char tmpl[] = "/tmp/vigil-lang-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~ScratchDir() { std::filesystem::remove_all(path); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string p = path + "/" + name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string path;
};

std::vector<std::string> Codes(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const auto& d : diags.all()) out.push_back(d.id());
  return out;
}

TEST(Load, EveryRealFileOnce) {
  ScratchDir dir;
  std::string lists = dir.Write("lists.vgl", "list shells = [bash]\n");
  dir.Write("rules.vgl",
            "rule r { desc \"d\" severity low on exec when proc.name in shells }\n"
            "test r { alert exec { proc.name: \"bash\" } }\n");
  std::filesystem::create_symlink(lists, dir.path + "/link.vgl");
  Program program;
  auto errors = LoadSources(
      {lists, dir.path, dir.path + "/link.vgl",
       dir.path + "/../" + std::filesystem::path(dir.path).filename().string() + "/lists.vgl"},
      program);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(program.sources.size(), 2u);  // lists.vgl (first name given) and rules.vgl
  EXPECT_EQ(program.sources.file(0).path, lists);
  Diagnostics diags;
  Analyze(program, diags);
  EXPECT_EQ(diags.errors(), 0u) << (diags.all().empty() ? "" : diags.all()[0].message);
}

// A Kubernetes ConfigMap volume, as the kubelet's atomic writer lays it out: each file is
// read once, under its visible name, never through the timestamped directory.
TEST(Load, KubeletAtomicWriterLayoutReadOnceByVisibleName) {
  namespace fs = std::filesystem;
  ScratchDir dir;
  const std::string ts = "..2025_01_02_03_04_05.123456789";
  fs::create_directory(dir.path + "/" + ts);
  dir.Write(ts + "/lists.vgl", "list shells = [bash]\n");
  dir.Write(ts + "/rules.vgl",
            "rule r { desc \"d\" severity low on exec when proc.name in shells }\n");
  fs::create_directory_symlink(ts, dir.path + "/..data");
  fs::create_symlink("..data/lists.vgl", dir.path + "/lists.vgl");
  fs::create_symlink("..data/rules.vgl", dir.path + "/rules.vgl");
  // A projected item with a folder (`sub/more.vgl`): the visible `sub -> ..data/sub`.
  fs::create_directory(dir.path + "/" + ts + "/sub");
  dir.Write(ts + "/sub/more.vgl", "list more = [zsh]\n");
  fs::create_directory_symlink("..data/sub", dir.path + "/sub");
  EXPECT_TRUE(IsAtomicWriterDir(dir.path));
  EXPECT_FALSE(IsAtomicWriterDir(dir.path + "/" + ts));
  Program program;
  EXPECT_TRUE(LoadSources({dir.path}, program).empty());
  ASSERT_EQ(program.sources.size(), 3u);
  EXPECT_EQ(program.sources.file(0).path, dir.path + "/lists.vgl");
  EXPECT_EQ(program.sources.file(1).path, dir.path + "/rules.vgl");
  EXPECT_EQ(program.sources.file(2).path, dir.path + "/sub/more.vgl");
  Diagnostics diags;
  Analyze(program, diags);
  EXPECT_EQ(diags.errors(), 0u) << (diags.all().empty() ? "" : diags.all()[0].message);
}

// `..` names are skipped only in the atomic writer's layout: elsewhere they are ordinary.
TEST(Load, DotDotNamesOutsideTheAtomicWriterLayoutAreRead) {
  ScratchDir dir;
  std::filesystem::create_directory(dir.path + "/..hidden");
  dir.Write("..hidden/a.vgl", "list a = [x]\n");
  EXPECT_FALSE(IsAtomicWriterDir(dir.path));
  Program program;
  EXPECT_TRUE(LoadSources({dir.path}, program).empty());
  ASSERT_EQ(program.sources.size(), 1u);
  EXPECT_EQ(program.sources.file(0).path, dir.path + "/..hidden/a.vgl");
}

TEST(Load, UnreadablePathsAreFindings) {
  ScratchDir dir;
  std::filesystem::create_directory(dir.path + "/empty");
  Program program;
  auto errors = LoadSources({dir.path + "/nope.vgl", dir.path + "/empty"}, program);
  ASSERT_EQ(errors.size(), 2u);
  ASSERT_EQ(program.sources.size(), 2u);
  EXPECT_EQ(program.sources.read_count(), 0u);
  Diagnostics diags;
  Analyze(program, diags);
  EXPECT_EQ(Codes(diags), (std::vector<std::string>{"V044", "V044"}));
  EXPECT_FALSE(diags.all()[0].loc.valid());  // the whole file: no line
  EXPECT_EQ(program.sources.Position(diags.all()[0].loc), dir.path + "/nope.vgl");
}

TEST(Load, NonTextAndEndlessInputStopWithOneFinding) {
  ScratchDir dir;
  std::string binary = dir.Write("nul.vgl", std::string("rule r {\0\0}", 12));
  std::string latin = dir.Write("latin.vgl", std::string(200, '\xe9'));
  Program program;
  auto errors = LoadSources({"/dev/zero", binary, latin}, program);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_NE(errors[0].message.find("NUL byte (offset 0)"), std::string::npos);
  EXPECT_NE(errors[1].message.find("NUL byte (offset 8)"), std::string::npos);
  EXPECT_NE(errors[2].message.find("not UTF-8 text"), std::string::npos);
  Diagnostics diags;
  Analyze(program, diags);
  EXPECT_EQ(diags.errors(), 3u);
}

TEST(Diagnostics, KeepsAtMostTheLimitPerFileAndCountsTheRest) {
  Diagnostics diags(2);
  for (int i = 0; i < 5; ++i) diags.Add(Code::kSyntax, SourceLoc{0, 1, 1, 1}, "e");
  diags.Add(Code::kUnusedList, SourceLoc{0, 2, 1, 1}, "w").notes.push_back("dropped");
  diags.Add(Code::kSyntax, SourceLoc{1, 1, 1, 1}, "other file");
  EXPECT_EQ(diags.all().size(), 3u);
  EXPECT_EQ(diags.errors(), 6u);
  EXPECT_EQ(diags.warnings(), 1u);
  ASSERT_EQ(diags.not_shown().count(0), 1u);
  EXPECT_EQ(diags.not_shown().at(0).errors, 3u);
  EXPECT_EQ(diags.not_shown().at(0).warnings, 1u);
  EXPECT_EQ(diags.not_shown_total(), 4u);
  Diagnostics merged(0);
  merged.Merge(std::move(diags));
  EXPECT_EQ(merged.errors(), 6u);
  EXPECT_EQ(merged.not_shown_total(), 4u);
}

TEST(Diagnostics, GarbageIsCapped) {
  std::string garbage;
  for (int i = 0; i < 300; ++i) garbage += "list x = [a b]\n";
  auto a = AnalyzeText({garbage});
  EXPECT_LE(a->diags.all().size(), kMaxFindingsPerFile);
  EXPECT_GT(a->diags.errors(), kMaxFindingsPerFile);
}

// ---- event types a condition can match (issue 13, item 7) -------------------------------

TEST(Reachability, NamesTheTypesThatNeverMatchAndWhy) {
  auto a = AnalyzeText({R"(
rule r { desc "d" severity low on exec, open, connect
         when file.path startswith "/tmp/" or (evt.type == "connect" and net.dport != 22) }
test r { alert open { file.path: "/tmp/x" } }
)"});
  auto codes = a->codes();
  ASSERT_EQ(codes, std::vector<std::string>{"V047"});
  const auto& d = a->diags.all()[0];
  EXPECT_NE(d.message.find("can never match exec events"), std::string::npos) << d.message;
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_NE(d.notes[0].find("file.path, which exec events do not carry"), std::string::npos);
  // A missing field satisfies `!=`: the connect side is reachable, no finding about it.
}

TEST(Reachability, AgreesWithTheCompiledMatchers) {
  // evt.type decides per type, a negated test of a missing field is true.
  auto never = [](const std::string& cond, EventMask events) {
    auto a = AnalyzeText({"macro m = " + cond + "\n"});
    EventMask out = 0;
    for (const auto& n : EventTypesNeverMatching(a->program.macro_bodies.at("m"), events))
      out |= Bit(n.type);
    return out;
  };
  const EventMask exec = Bit(EventType::kExec), open = Bit(EventType::kOpen);
  EXPECT_EQ(never(R"(evt.type == "open")", exec | open), exec);
  EXPECT_EQ(never(R"(evt.type != "open")", exec | open), open);
  EXPECT_EQ(never(R"(evt.type in [exec, open])", exec | open), 0u);
  EXPECT_EQ(never(R"(not file.path startswith "/x")", exec | open), 0u);
  EXPECT_EQ(never(R"(file.path != "/x" and proc.name == "a")", exec | open), 0u);
  EXPECT_EQ(never(R"(exists file.path)", exec | open), exec);
  EXPECT_EQ(never(R"(len(file.path) > 3)", exec | open), exec);
  EXPECT_EQ(never("false", exec), exec);
}

// ---- messages that say what to write (issue 13, item 11) ---------------------------------

TEST(Messages, OneErrorEachSayingWhatToWrite) {
  auto a = AnalyzeText({R"(
list inner = [b, c]
list outer = [a, inner]
list dots = [.bashrc, .profile]
list bad = [x, [y, z]]
rule r { desc "d" severity low on open when file.path glob ["/tmp/*", "/run/*"] }
override test r { alert open { file.path: "/tmp/x" } }
rule n { desc "d" severity low on exec when proc.name in outer or proc.name in dots or proc.name in bad }
test n { alert exec { proc.name: "b" } }
)"});
  std::vector<std::string> want = {"V001", "V001", "V001", "V010", "V033"};
  EXPECT_EQ(a->codes(), want);
  // Lists nest by name: outer holds a, b, c.
  const auto* outer = a->program.lists.at("outer");
  ASSERT_EQ(outer->items.size(), 3u);
  EXPECT_EQ(outer->items[1].text, "b");
}

TEST(Messages, ListsIncludingEachOtherAreACycle) {
  auto a =
      AnalyzeText({"list a = [x, b]\nlist b = [a]\n"
                   "rule r { desc \"d\" severity low on exec when proc.name in a }\n"
                   "test r { alert exec { proc.name: \"x\" } }\n"});
  EXPECT_EQ(a->codes(), std::vector<std::string>{"V009"});
}

TEST(TerminalText, EscapesControlsAndInvalidUtf8) {
  EXPECT_EQ(output::TerminalSafe("a\x1b[31mb\n"), "a\\x1b[31mb\\x0a");
  EXPECT_EQ(output::TerminalSafe("\xff"), "\xEF\xBF\xBD");
  EXPECT_EQ(output::TerminalSafe("\xC2\x9B"), "\\u009b");  // C1 CSI
  EXPECT_EQ(output::TerminalSafe("caf\xC3\xA9"), "caf\xC3\xA9");
}

}  // namespace
}  // namespace vigil::lang
