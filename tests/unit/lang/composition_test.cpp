// Unit tests of the language's composition features (issue 15): named exceptions, `append`,
// lists against startswith/endswith/contains, policy selection, rules disabled from the command
// line, Falco priority names.
#include <gtest/gtest.h>

#include <algorithm>

#include "analyze_text.h"
#include "lang/pipeline.h"

namespace vigil::lang {
namespace {

using test_support::Analyzed;
using test_support::AnalyzeText;

std::string Messages(const Analyzed& a) {
  std::string out;
  for (const auto& d : a.diags.all()) out += std::string(d.id()) + " " + d.message + "\n";
  return out;
}

const char* kWriteRule = R"(
rule write_log {
  desc "d"
  severity low
  on open
  when open.write and file.path startswith "/var/log/"
  exception rotation: proc.name, file.path startswith in [
    (logrotate, "/var/log/"),
    (savelog, "/var/log/apt/"),
  ]
}
test write_log { alert open { open.write: true, file.path: "/var/log/x", proc.name: "vi" } }
)";

// ---- exceptions ---------------------------------------------------------------------------

TEST(Exceptions, ParseIntoTheRuleWithFieldsOperatorsAndTuples) {
  auto a = AnalyzeText({kWriteRule});
  EXPECT_EQ(a->errors(), 0u) << Messages(*a);
  const auto* rule = a->program.rules.at("write_log");
  ASSERT_EQ(rule->exceptions.size(), 1u);
  const auto& x = rule->exceptions[0];
  EXPECT_EQ(x.name, "rotation");
  ASSERT_EQ(x.fields.size(), 2u);
  EXPECT_EQ(x.fields[0].text, "proc.name");
  EXPECT_EQ(x.ops[0], ast::Op::kEq);
  EXPECT_EQ(x.ops[1], ast::Op::kStartsWith);
  ASSERT_EQ(x.tuples.size(), 2u);
  EXPECT_EQ(x.tuples[1].values[1].text, "/var/log/apt/");
  // The condition became `when and not (tuple or tuple)`.
  ASSERT_TRUE(rule->when);
  EXPECT_EQ(rule->when->op, ast::Op::kAnd);
  EXPECT_EQ(rule->when->children.back().op, ast::Op::kNot);
}

TEST(Exceptions, FieldNotOnTheRulesEventsIsReportedOnceAtTheField) {
  auto a = AnalyzeText({R"(
rule r {
  desc "d" severity low on exec when proc.name == "x"
  exception by_path: proc.name, file.path in [(a, "/x"), (b, "/y"), (c, "/z")]
}
test r { alert exec { proc.name: "x" } }
)"});
  size_t v012 = 0;
  for (const auto& d : a->diags.all())
    if (std::string(d.id()) == "V012") {
      ++v012;
      EXPECT_NE(d.message.find("exception 'by_path'"), std::string::npos) << d.message;
      EXPECT_NE(d.message.find("file.path"), std::string::npos);
      EXPECT_EQ(d.loc.line, 4u);
      EXPECT_EQ(d.loc.column, 33u);
    }
  EXPECT_EQ(v012, 1u) << Messages(*a);
}

TEST(Exceptions, TupleOfTheWrongSizeIsV048AtTheTuple) {
  auto a = AnalyzeText({R"(
rule r {
  desc "d" severity low on open when open.write
  exception x: proc.name, file.path in [(a, "/x"), (b)]
}
test r { alert open { open.write: true } }
)"});
  const auto* d = a->first("V048");
  ASSERT_NE(d, nullptr) << Messages(*a);
  EXPECT_EQ(d->loc.line, 4u);
  EXPECT_NE(d->message.find("this tuple has 1 value"), std::string::npos) << d->message;
}

TEST(Exceptions, OperatorTheFieldsTypeLacksIsV011AtTheOperator) {
  auto a = AnalyzeText({R"(
rule r {
  desc "d" severity low on exec when proc.name == "x"
  exception x: proc.pid startswith in [1]
}
test r { alert exec { proc.name: "x" } }
)"});
  const auto* d = a->first("V011");
  ASSERT_NE(d, nullptr) << Messages(*a);
  EXPECT_EQ(d->loc.column, 25u);
}

TEST(Exceptions, UnknownFieldIsReportedOnceNotPerTuple) {
  auto a = AnalyzeText({R"(
rule r {
  desc "d" severity low on exec when proc.name == "x"
  exception x: proc.nmae in [a, b, c]
}
test r { alert exec { proc.name: "x" } }
)"});
  auto codes = a->codes();
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "V002"), 1) << Messages(*a);
}

TEST(Exceptions, ValuesAreTypeCheckedAgainstTheirField) {
  auto a = AnalyzeText({R"(
rule r {
  desc "d" severity low on exec when proc.name == "x"
  exception x: proc.name, proc.uid in [(a, "root")]
}
test r { alert exec { proc.name: "x" } }
)"});
  EXPECT_TRUE(a->has("V010")) << Messages(*a);
}

TEST(Exceptions, PolicyHasNoExceptions) {
  auto a = AnalyzeText(
      {std::string(kWriteRule) + "policy p { rules [write_log] exception x: proc.name in [a] }"});
  EXPECT_TRUE(a->has("V028")) << Messages(*a);
}

// ---- append -------------------------------------------------------------------------------

TEST(Append, AddsItemsToAListDeclaredInAnotherFile) {
  auto a =
      AnalyzeText({"list shells = [bash, sh]\n"
                   "rule r { desc \"d\" severity low on exec when proc.name in shells }\n"
                   "test r { alert exec { proc.name: \"bash\" } }\n",
                   "append list shells [fish]\n"});
  EXPECT_EQ(a->errors(), 0u) << Messages(*a);
  EXPECT_EQ(a->program.lists.at("shells")->items.size(), 3u);
}

TEST(Append, AddsAConditionToAMacro) {
  auto a =
      AnalyzeText({"macro trusted = proc.name == \"a\"\n"
                   "rule r { desc \"d\" severity low on exec when not trusted }\n"
                   "test r { alert exec { proc.name: \"z\" } }\n",
                   "append macro trusted or proc.name == \"b\"\n"});
  EXPECT_EQ(a->errors(), 0u) << Messages(*a);
  const auto& body = a->program.macros.at("trusted")->body;
  EXPECT_EQ(body.op, ast::Op::kOr);
  EXPECT_EQ(body.children.size(), 2u);
}

TEST(Append, AddsTuplesToANamedExceptionAndMarksThem) {
  auto a = AnalyzeText({kWriteRule,
                        "append rule write_log {\n"
                        "  exception rotation in [(newsyslog, \"/var/log/\")]\n"
                        "}\n"});
  EXPECT_EQ(a->errors(), 0u) << Messages(*a);
  const auto& x = a->program.rules.at("write_log")->exceptions.at(0);
  ASSERT_EQ(x.tuples.size(), 3u);
  EXPECT_FALSE(x.tuples[0].appended);
  EXPECT_TRUE(x.tuples[2].appended);
  EXPECT_EQ(x.tuples[2].values[0].text, "newsyslog");
}

TEST(Append, AddsANewExceptionWithItsFields) {
  auto a = AnalyzeText({kWriteRule,
                        "append rule write_log {\n"
                        "  exception editors: proc.name in [vim, nano]\n"
                        "}\n"});
  EXPECT_EQ(a->errors(), 0u) << Messages(*a);
  const auto& xs = a->program.rules.at("write_log")->exceptions;
  ASSERT_EQ(xs.size(), 2u);
  EXPECT_TRUE(xs[1].appended);
  EXPECT_EQ(xs[1].tuples.size(), 2u);
}

TEST(Append, ToNothingIsV049WithASuggestion) {
  auto a = AnalyzeText({kWriteRule,
                        "append rule write_lgo { exception x: proc.name in [a] }\n"
                        "append list nothing_here [a]\n"
                        "append macro nope or proc.name == \"a\"\n"});
  auto codes = a->codes();
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "V049"), 3) << Messages(*a);
  EXPECT_NE(a->first("V049")->message.find("did you mean 'write_log'"), std::string::npos);
}

TEST(Append, TuplesForAnExceptionTheRuleLacksNeedFields) {
  auto a =
      AnalyzeText({kWriteRule, "append rule write_log { exception rotaton in [(a, \"/b\")] }\n"});
  const auto* d = a->first("V048");
  ASSERT_NE(d, nullptr) << Messages(*a);
  EXPECT_NE(d->message.find("did you mean 'rotation'"), std::string::npos) << d->message;
}

TEST(Append, RestatedFieldsMustMatch) {
  auto a = AnalyzeText(
      {kWriteRule,
       "append rule write_log { exception rotation: proc.name, file.path in [(a, \"/b\")] }\n"});
  const auto* d = a->first("V048");
  ASSERT_NE(d, nullptr) << Messages(*a);
  EXPECT_NE(d->message.find("file.path startswith"), std::string::npos) << d->message;
}

TEST(Append, RuleBlockTakesOnlyExceptions) {
  auto a = AnalyzeText({kWriteRule, "append rule write_log { severity high }\n"});
  const auto* d = a->first("V028");
  ASSERT_NE(d, nullptr) << Messages(*a);
  EXPECT_NE(d->message.find("override rule write_log"), std::string::npos) << d->message;
}

// ---- lists against startswith / endswith / contains ----------------------------------------

TEST(AnyOf, StartswithAListLiteralOrANamedListIsAccepted) {
  auto a =
      AnalyzeText({"list tmp_dirs = [\"/tmp/\", \"/dev/shm/\"]\n"
                   "list more = [tmp_dirs, \"/run/user/\"]\n"
                   "rule r { desc \"d\" severity low on open when file.path startswith more "
                   "or file.name endswith [\".so\", \".ko\"] or proc.cmdline contains "
                   "[curl, wget] }\n"
                   "test r { alert open { file.path: \"/tmp/x\" } }\n"});
  EXPECT_EQ(a->errors(), 0u) << Messages(*a);
  EXPECT_FALSE(a->has("V022")) << "the named list counts as used";
}

TEST(AnyOf, ContainsAListOnAListFieldSaysIntersects) {
  auto a =
      AnalyzeText({"rule r { desc \"d\" severity low on exec when proc.args contains [a, b] }\n"
                   "test r { alert exec { proc.args: [\"a\"] } }\n"});
  const auto* d = a->first("V011");
  ASSERT_NE(d, nullptr) << Messages(*a);
  EXPECT_NE(d->message.find("intersects"), std::string::npos) << d->message;
}

TEST(AnyOf, NumbersInTheListAreTypeErrors) {
  auto a =
      AnalyzeText({"rule r { desc \"d\" severity low on open when file.path startswith "
                   "[\"/a\", 3] }\ntest r { alert open { file.path: \"/a\" } }\n"});
  EXPECT_TRUE(a->has("V010")) << Messages(*a);
}

TEST(AnyOf, GlobAgainstANamedListExplainsOr) {
  auto a =
      AnalyzeText({"list pats = [\"/tmp/*\"]\n"
                   "rule r { desc \"d\" severity low on open when file.path glob pats }\n"
                   "test r { alert open { file.path: \"/tmp/x\" } }\n"});
  const auto* d = a->first("V010");
  ASSERT_NE(d, nullptr) << Messages(*a);
  EXPECT_NE(d->message.find("one pattern"), std::string::npos) << d->message;
  EXPECT_FALSE(a->has("V002")) << "not also an unknown field";
}

TEST(AnyOf, EqualsANamedListSaysIn) {
  auto a =
      AnalyzeText({"list shells = [bash]\n"
                   "rule r { desc \"d\" severity low on exec when proc.name == shells }\n"
                   "test r { alert exec { proc.name: \"bash\" } }\n"});
  const auto* d = a->first("V010");
  ASSERT_NE(d, nullptr) << Messages(*a);
  EXPECT_NE(d->message.find("in shells"), std::string::npos) << d->message;
}

TEST(AnyOf, StartswithOnANumberIsV011) {
  auto a =
      AnalyzeText({"rule r { desc \"d\" severity low on exec when proc.pid startswith [1] }\n"
                   "test r { alert exec { proc.pid: 1 } }\n"});
  EXPECT_TRUE(a->has("V011")) << Messages(*a);
}

// ---- policy selection ---------------------------------------------------------------------

const char* kThreeRules = R"(
rule a { desc "d" severity low tags [noisy, files] on exec when proc.name == "a" }
rule b { desc "d" severity high tags [files] on exec when proc.name == "b" }
rule c { desc "d" severity critical tags [net] on exec when proc.name == "c" }
test a { alert exec { proc.name: "a" } }
test b { alert exec { proc.name: "b" } }
test c { alert exec { proc.name: "c" } }
)";

std::vector<std::string> PolicyRules(const Analyzed& a, size_t i = 0) {
  std::vector<std::string> out;
  for (const auto* r : a.program.policies.at(i).rules) out.push_back(r->name);
  return out;
}

TEST(PolicySelection, ExcludeByNameAndTag) {
  auto a = AnalyzeText({std::string(kThreeRules) +
                        "policy p { rules [tag:files, c] exclude [tag:noisy] }\n"
                        "policy q { rules [tag:files, c] exclude [c] }\n"});
  EXPECT_EQ(a->errors(), 0u) << Messages(*a);
  EXPECT_EQ(PolicyRules(*a, 0), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(PolicyRules(*a, 1), (std::vector<std::string>{"a", "b"}));
}

TEST(PolicySelection, SeveritySelectorAndMinimumSeverity) {
  auto a = AnalyzeText({std::string(kThreeRules) +
                        "policy p { rules [severity:high] }\n"
                        "policy q { rules [tag:files, tag:net] min_severity critical }\n"
                        "policy r { rules [severity:error] }\n"});
  EXPECT_EQ(a->errors(), 0u) << Messages(*a);
  EXPECT_EQ(PolicyRules(*a, 0), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(PolicyRules(*a, 1), (std::vector<std::string>{"c"}));
  EXPECT_EQ(PolicyRules(*a, 2), (std::vector<std::string>{"b", "c"}));  // error = high
}

TEST(PolicySelection, BadSelectorsAreReported) {
  auto a =
      AnalyzeText({std::string(kThreeRules) +
                   "policy p { rules [severity:hgih] exclude [tag:nosiy, severity:low, zz] }\n"});
  EXPECT_TRUE(a->has("V029")) << Messages(*a);
  EXPECT_TRUE(a->has("V006"));
  EXPECT_TRUE(a->has("V028"));
  EXPECT_TRUE(a->has("V005"));
}

TEST(PolicySelection, DisabledFromTheCommandLineByNameAndTag) {
  auto a = AnalyzeText({std::string(kThreeRules) + "policy p { rules [a, b, c] }\n"},
                       RuleSelection{{"c"}, {"noisy"}});
  EXPECT_EQ(a->errors(), 0u) << Messages(*a);
  EXPECT_EQ(PolicyRules(*a), (std::vector<std::string>{"b"}));
  EXPECT_EQ(a->program.disabled_rules, (std::vector<std::string>{"a", "c"}));
  EXPECT_TRUE(a->program.disabled_unmatched.empty());
}

TEST(PolicySelection, DisabledNamesThatMatchNothingAreListed) {
  auto a = AnalyzeText({kThreeRules}, RuleSelection{{"zz"}, {"nosuchtag"}});
  EXPECT_EQ(a->program.disabled_unmatched, (std::vector<std::string>{"zz", "tag:nosuchtag"}));
}

// ---- severities -----------------------------------------------------------------------------

TEST(Severity, FalcoPriorityNamesAreAliases) {
  const std::vector<std::pair<std::string, ast::Severity>> cases = {
      {"emergency", ast::Severity::kCritical}, {"ALERT", ast::Severity::kCritical},
      {"Critical", ast::Severity::kCritical},  {"error", ast::Severity::kHigh},
      {"WARNING", ast::Severity::kMedium},     {"notice", ast::Severity::kLow},
      {"informational", ast::Severity::kInfo}, {"INFO", ast::Severity::kInfo},
      {"debug", ast::Severity::kInfo}};
  for (const auto& [name, want] : cases) {
    auto a = AnalyzeText({"rule r { desc \"d\" severity " + name +
                          " on exec when proc.name == \"a\" }\n"
                          "test r { alert exec { proc.name: \"a\" } }\n"});
    EXPECT_EQ(a->errors(), 0u) << name << ": " << Messages(*a);
    const auto* rule = a->program.rules.at("r");
    ASSERT_TRUE(rule->severity) << name;
    EXPECT_EQ(*rule->severity, want) << name;
  }
  auto bad = AnalyzeText({"rule r { desc \"d\" severity warnign on exec }\n"});
  const auto* d = bad->first("V029");
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->message.find("did you mean 'warning'"), std::string::npos) << d->message;
}

}  // namespace
}  // namespace vigil::lang
