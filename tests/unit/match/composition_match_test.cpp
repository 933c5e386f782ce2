// What the composition features of the language compile to (issue 15): exceptions silence a
// rule when a tuple matches, appended tuples and list items take part, lists against
// startswith/endswith/contains match any item, and an appended tuple that silences one of the
// rule's own alert cases is a V050 finding naming the case.
#include <algorithm>

#include "compile/exception_checks.h"
#include "match_harness.h"

namespace vigil::testing {
namespace {

using lang::EventType;

match::EventRecord Open(const std::string& proc, const std::string& path) {
  auto r = Event(EventType::kOpen);
  r.SetString(F("proc.name"), proc);
  r.SetString(F("file.path"), path);
  r.SetBool(F("open.write"), true);
  return r;
}

const char* kRule = R"(
rule r {
  desc "d"
  severity low
  on open
  when open.write and file.path startswith "/var/log/"
  exception rotation: proc.name, file.path startswith in [
    (logrotate, "/var/log/"),
    (savelog, "/var/log/apt/"),
  ]
}
)";

TEST(ExceptionMatch, AMatchingTupleSilencesTheRule) {
  auto c = CompileFiles({kRule});
  ASSERT_TRUE(c.rules);
  EXPECT_TRUE(Fires(c, Open("vi", "/var/log/syslog")));
  EXPECT_FALSE(Fires(c, Open("logrotate", "/var/log/syslog")));
  EXPECT_FALSE(Fires(c, Open("savelog", "/var/log/apt/history.log")));
  // Each tuple needs every field: savelog outside /var/log/apt/ still alerts.
  EXPECT_TRUE(Fires(c, Open("savelog", "/var/log/syslog")));
}

TEST(ExceptionMatch, AppendedTuplesAndNewExceptionsApply) {
  auto c = CompileFiles({kRule, R"(
list editors = [vim]
append list editors [nano]
append rule r {
  exception rotation in [(newsyslog, "/var/log/")]
  exception by_editor: proc.name in [editors]
}
)"});
  ASSERT_TRUE(c.rules);
  EXPECT_FALSE(Fires(c, Open("newsyslog", "/var/log/x")));
  EXPECT_FALSE(Fires(c, Open("vim", "/var/log/x")));
  EXPECT_FALSE(Fires(c, Open("nano", "/var/log/x")));  // appended to the list the tuple names
  EXPECT_TRUE(Fires(c, Open("emacs", "/var/log/x")));
  auto idx = c.rules->FindRule("r");
  ASSERT_TRUE(idx);
  const auto& lines = c.rules->rules()[*idx].exceptions;
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "rotation (proc.name, file.path startswith): 3 tuples, 1 appended");
  EXPECT_EQ(lines[1], "by_editor (proc.name): 1 tuple, 1 appended");
}

// A library declares an exception without tuples as an extension point; a site fills it.
TEST(ExceptionMatch, AnEmptyExceptionExceptsNothingUntilTuplesAreAppended) {
  const std::string rule =
      "rule r { desc \"d\" severity low on exec when proc.name == \"x\"\n"
      "  exception site_parents: proc.parent.name in [] }\n";
  auto e = Event(EventType::kExec);
  e.SetString(F("proc.name"), "x");
  e.SetString(F("proc.parent.name"), "cron");
  auto bare = CompileFiles({rule});
  ASSERT_TRUE(bare.rules);
  EXPECT_TRUE(Fires(bare, e));
  auto filled = CompileFiles({rule, "append rule r { exception site_parents in [cron] }\n"});
  ASSERT_TRUE(filled.rules);
  EXPECT_FALSE(Fires(filled, e));
}

TEST(ExceptionMatch, AListInATupleIsAnyOfItsItems) {
  auto c = CompileFiles({std::string(kRule) +
                         "append rule r { exception editors: proc.name, file.path startswith in "
                         "[([vim, nano], [\"/var/log/a/\", \"/var/log/b/\"])] }\n"});
  ASSERT_TRUE(c.rules);
  EXPECT_FALSE(Fires(c, Open("nano", "/var/log/b/x")));
  EXPECT_FALSE(Fires(c, Open("vim", "/var/log/a/x")));
  EXPECT_TRUE(Fires(c, Open("vim", "/var/log/c/x")));
  EXPECT_TRUE(Fires(c, Open("emacs", "/var/log/a/x")));
}

TEST(ExceptionMatch, OperatorsInAndNumbers) {
  auto c = CompileRule("exec",
                       "proc.name == \"x\"\n  exception root_cron: proc.uid, proc.parent.name in "
                       "in [(0, [cron, anacron])]");
  ASSERT_TRUE(c.rules);
  auto e = Event(EventType::kExec);
  e.SetString(F("proc.name"), "x");
  e.SetUint(F("proc.uid"), 0);
  e.SetString(F("proc.parent.name"), "anacron");
  EXPECT_FALSE(Fires(c, e));
  e.SetUint(F("proc.uid"), 1000);
  EXPECT_TRUE(Fires(c, e));
}

TEST(ExceptionMatch, AppendedMacroConditionApplies) {
  auto c =
      CompileFiles({"macro trusted = proc.name == \"a\"\n"
                    "rule r { desc \"d\" severity low on exec when not trusted }\n",
                    "append macro trusted or proc.name == \"b\"\n"});
  ASSERT_TRUE(c.rules);
  auto e = Event(EventType::kExec);
  e.SetString(F("proc.name"), "b");
  EXPECT_FALSE(Fires(c, e));
  e.SetString(F("proc.name"), "c");
  EXPECT_TRUE(Fires(c, e));
}

TEST(AnyOfMatch, StartswithEndswithContainsAgainstLists) {
  auto c = CompileRule(
      "open",
      "file.path startswith tmp_dirs or file.path endswith [\".so\", \".ko\"] or "
      "file.path contains [\"/.ssh/\", \"/.gnupg/\"] or file.path icontains [\"/CACHE/\"]",
      "list tmp_dirs = [\"/tmp/\", more_tmp]\nlist more_tmp = [\"/dev/shm/\"]\n");
  ASSERT_TRUE(c.rules);
  auto at = [&](const std::string& path) { return Fires(c, Open("p", path)); };
  EXPECT_TRUE(at("/tmp/a"));
  EXPECT_TRUE(at("/dev/shm/a"));  // from the nested list
  EXPECT_TRUE(at("/usr/lib/x.so"));
  EXPECT_TRUE(at("/home/u/.ssh/id"));
  EXPECT_TRUE(at("/var/cache/x"));
  EXPECT_FALSE(at("/etc/passwd"));
  EXPECT_FALSE(at("/usr/lib/x.sox"));
}

// ---- V050 -------------------------------------------------------------------------------------

std::vector<lang::Diagnostic> SilencingFindings(const std::vector<std::string>& texts) {
  auto c = CompileFiles(texts);
  lang::Diagnostics diags;
  if (c.rules) compile::CheckAppendedExceptions(*c.program, diags);
  return diags.all();
}

const char* kTested = R"(
rule r {
  desc "d"
  severity low
  on open
  when open.write and file.path startswith "/var/log/"
  exception rotation: proc.name in [logrotate]
}
test r {
  alert open { open.write: true, file.path: "/var/log/a", proc.name: "vi" }
  alert open { open.write: true, file.path: "/var/log/b", proc.name: "tee" }
  quiet open { open.write: true, file.path: "/var/log/c", proc.name: "logrotate" }
}
)";

TEST(ExceptionSilencesTest, AnAppendedTupleThatQuietsAnAlertCaseNamesIt) {
  auto found = SilencingFindings({kTested, "append rule r {\n  exception rotation in [tee]\n}\n"});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_STREQ(found[0].id(), "V050");
  EXPECT_EQ(found[0].level, lang::Level::kWarning);
  EXPECT_EQ(found[0].loc.file, 1u);  // at the appended tuple
  EXPECT_EQ(found[0].loc.line, 2u);
  EXPECT_NE(found[0].message.find("f0.vgl:11:3"), std::string::npos) << found[0].message;
}

TEST(ExceptionSilencesTest, HarmlessAppendsAndTheRulesOwnTuplesAreNotReported) {
  EXPECT_TRUE(
      SilencingFindings({kTested, "append rule r { exception rotation in [savelog] }\n"}).empty());
  EXPECT_TRUE(SilencingFindings({kTested}).empty());
}

}  // namespace
}  // namespace vigil::testing
