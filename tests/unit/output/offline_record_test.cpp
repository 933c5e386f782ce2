// `vigil test` and `vigil replay` build an event the same way (match::CompleteOfflineRecord,
// docs/testing.md, docs/replay.md): the same event as a test case and as a replayed JSON line
// gives the same record. And replay refuses input of the wrong shape or out of range.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lang/pipeline.h"
#include "match/derive.h"
#include "match/test_event.h"
#include "output/record_json.h"

namespace vigil::output {
namespace {

using lang::FieldId;

// The records of the cases of the one test block in `text`.
std::vector<match::EventRecord> TestCaseRecords(const std::string& text) {
  lang::Program program;
  program.sources.Add("t.vgl", text);
  lang::Diagnostics diags;
  lang::Analyze(program, diags);
  EXPECT_EQ(diags.errors(), 0u);
  std::vector<match::EventRecord> out;
  for (const auto* t : program.tests)
    for (const auto& c : t->cases) {
      out.emplace_back();
      EXPECT_TRUE(match::RecordFromTestCase(c, &out.back()));
    }
  return out;
}

match::EventRecord ReplayRecord(const std::string& line) {
  match::EventRecord r;
  auto read = RecordFromJsonLine(line, {}, &r);
  EXPECT_TRUE(read) << read.error();
  match::CompleteOfflineRecord(r);
  return r;
}

TEST(OfflineRecord, TestCaseAndReplayedLineGiveTheSameRecord) {
  auto cases = TestCaseRecords(R"(
rule a { desc "d" severity low on open, setuid when evt.failed == false output "x" }
rule b { desc "d" severity low on exec when proc.name == "cat" output "x" }
rule c { desc "d" severity low on tcp_state when net.dport == 22 output "x" }
test a {
  alert open { file.path: "/etc/shadow" }
  quiet open { file.path: "/etc/shadow", evt.failed: true }
  quiet open { file.path: "/etc/shadow", evt.retval: -13 }
  alert setuid { setuid.uid: 0, proc.uid: 4294967295 }
}
test b { alert exec { proc.name: "cat" } }
test c { alert tcp_state { net.dport: 22 } }
)");
  const std::vector<std::string> lines = {
      R"({"evt":{"type":"open"},"file":{"path":"/etc/shadow"}})",
      R"({"evt":{"type":"open","failed":true},"file":{"path":"/etc/shadow"}})",
      R"({"evt":{"type":"open","retval":-13},"file":{"path":"/etc/shadow"}})",
      R"({"evt":{"type":"setuid"},"setuid":{"uid":0},"proc":{"uid":4294967295}})",
      R"({"evt":{"type":"exec"},"proc":{"name":"cat"}})",
      R"({"evt":{"type":"tcp_state"},"net":{"dport":22}})",
  };
  ASSERT_EQ(cases.size(), lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(RecordToJson(cases[i]).dump(), RecordToJson(ReplayRecord(lines[i])).dump())
        << lines[i];
  }
  // The one rule: a syscall event that says nothing about its result succeeded...
  EXPECT_TRUE(cases[0].Has(FieldId::kEvtFailed));
  EXPECT_FALSE(cases[0].Bool(FieldId::kEvtFailed));
  EXPECT_EQ(cases[0].Int(FieldId::kEvtRetval), 0);
  // ... evt.failed given alone stays alone, and lifecycle and tcp_state events get no result,
  // as the agent's own events of those types carry none.
  EXPECT_FALSE(cases[1].Has(FieldId::kEvtRetval));
  EXPECT_FALSE(cases[4].Has(FieldId::kEvtFailed));
  EXPECT_FALSE(cases[5].Has(FieldId::kEvtFailed));
}

TEST(OfflineRecord, ReplayRefusesWrongShapesAndOutOfRangeValues) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"evt":{"type":"exec"},"proc":"bash"})",
       "proc: expected an object of fields (proc.*), found string"},
      {R"({"evt":{"type":"exec"},"proc":{"parent":["bash"]}})",
       "proc.parent: expected an object of fields (proc.parent.*), found array"},
      {R"({"evt":"exec"})", "evt: expected an object of fields (evt.*), found string"},
      {R"({"evt":{"type":"exec"},"proc":{"uid":4294967296}})",
       "proc.uid: 4294967296 is out of range (0..4294967295)"},
      {R"({"evt":{"type":"exec"},"proc":{"pid":-1}})",
       "proc.pid: -1 is out of range (0..4294967295)"},
      {R"({"evt":{"type":"connect"},"net":{"dport":65536}})",
       "net.dport: 65536 is out of range (0..65535)"},
      {R"({"evt":{"type":"exec"},"proc":{"uid":"0"}})",
       "proc.uid: expected a non-negative integer, found string"},
      {R"({"evt":{"type":"exec"},"proc":{"aname":"bash"}})",
       "proc.aname: an indexed field (proc.aname[N]) is not part of the event JSON: it is read "
       "from its list"},
      {R"({"evt":{"type":"exec"},"x":1e400})",
       "[json.exception.out_of_range.406] number overflow parsing '1e400'"},
  };
  for (const auto& [line, want] : bad) {
    match::EventRecord r;
    auto read = RecordFromJsonLine(line, {}, &r);
    ASSERT_FALSE(read) << line;
    EXPECT_EQ(read.error(), want) << line;
  }
  // Unknown keys stay ignored, whatever their shape, and are not walked into: a deep nest of
  // them is no deeper to read than a flat one.
  std::string deep = R"({"evt":{"type":"exec"},"future":)";
  for (int i = 0; i < 100000; ++i) deep += R"({"a":)";
  deep += "1" + std::string(100000, '}') + "}";
  match::EventRecord r;
  EXPECT_TRUE(RecordFromJsonLine(deep, {}, &r));
  EXPECT_TRUE(
      RecordFromJsonLine(R"({"evt":{"type":"exec"},"future":"x","proc":{"next":[1]}})", {}, &r));
}

TEST(OfflineRecord, TestCaseRefusesWhatReplayRefuses) {
  lang::Program program;
  program.sources.Add("t.vgl", R"(
rule a { desc "d" severity low on exec when proc.uid == 0 output "x" }
test a {
  quiet exec { proc.uid: 4294967296 }
  quiet exec { exit.code: 256 }
}
)");
  lang::Diagnostics diags;
  lang::Analyze(program, diags);
  ASSERT_EQ(program.tests.size(), 1u);
  const std::vector<std::string> want = {
      "proc.uid is uint: 4294967296 is out of range (0..4294967295)",
      "exit.code is int: 256 is out of range (0..255)"};
  ASSERT_EQ(program.tests[0]->cases.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    match::EventRecord r;
    auto built = match::RecordFromTestCase(program.tests[0]->cases[i], &r);
    ASSERT_FALSE(built);
    ASSERT_EQ(built.error().all().size(), 1u);
    EXPECT_EQ(built.error().all()[0].message, want[i]);
  }
}

TEST(OfflineRecord, StringsSetFromTheRecordItselfKeepTheirValue) {
  // EventRecord copies a string with clear+append unless the value lies in the string it
  // replaces (clear would overwrite it first): a field set from itself or from a part of it.
  match::EventRecord r;
  r.SetString(FieldId::kFilePath, "/var/log/syslog");
  r.SetString(FieldId::kFilePath, r.String(FieldId::kFilePath));
  EXPECT_EQ(r.String(FieldId::kFilePath), "/var/log/syslog");
  r.SetString(FieldId::kFilePath, r.String(FieldId::kFilePath).substr(9));
  EXPECT_EQ(r.String(FieldId::kFilePath), "syslog");
  r.SetString(FieldId::kFileName, r.String(FieldId::kFilePath));
  r.SetString(FieldId::kFilePath, "");
  EXPECT_EQ(r.String(FieldId::kFileName), "syslog");
  EXPECT_EQ(r.String(FieldId::kFilePath), "");

  r.ClearList(FieldId::kProcArgs);
  r.AppendToList(FieldId::kProcArgs, "a-first-argument-longer-than-sso");
  r.AppendToList(FieldId::kProcArgs, "b");
  r.ClearList(FieldId::kProcArgs);
  r.AppendToList(FieldId::kProcArgs, "c");
  ASSERT_EQ(r.List(FieldId::kProcArgs).size(), 1u);
  EXPECT_EQ(r.List(FieldId::kProcArgs)[0], "c");
}

}  // namespace
}  // namespace vigil::output
