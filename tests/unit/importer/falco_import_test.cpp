// Unit tests of `vigil import falco`: the YAML reader (hostile input included), the condition
// parser, the field map, output templates, tags, derived tests, appends and exceptions.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include <unistd.h>

#include "importer/falco/falco_condition.h"
#include "importer/falco/falco_testgen.h"
#include "importer/falco/falco_translate.h"
#include "importer/falco/falco_writer.h"
#include "importer/falco/falco_yaml.h"
#include "importer/importer.h"

namespace vigil::importer::falco {
namespace {

// ctest runs every case as its own process, two at a time: each process writes under its own
// folder (the importer reads a file twice, for the items and for its SPDX line, so a shared
// path let a neighbour's write land between the reads) and removes it when it ends.
struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("vigil_falco_import_test." + std::to_string(::getpid()));
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

std::string WriteTemp(const std::string& name, const std::string& text) {
  static TempDir temp;
  const auto& dir = temp.path;
  std::filesystem::create_directories(dir);
  auto path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

Result<ImportResult> Import(const std::string& text) {
  ImportOptions o;
  o.inputs = {WriteTemp("rules.yaml", text)};
  return ImportFalco(o);
}

const RuleReport* Find(const ImportReport& r, const std::string& name) {
  for (const auto& x : r.rules)
    if (x.id == name) return &x;
  return nullptr;
}

TEST(FalcoCondition, PrecedenceListsAndExists) {
  auto c = ParseCondition("a and not b or proc.name in (x, \"y z\") and proc.pname exists");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->kind, FNode::Kind::kOr);
  ASSERT_EQ(c->kids[0].kind, FNode::Kind::kAnd);
  EXPECT_EQ(c->kids[0].kids[1].kind, FNode::Kind::kNot);
  const FNode& in = c->kids[1].kids[0];
  EXPECT_EQ(in.op, "in");
  ASSERT_EQ(in.values.size(), 2u);
  EXPECT_EQ(in.values[1].text, "y z");
  EXPECT_TRUE(in.values[1].quoted);
  EXPECT_EQ(c->kids[1].kids[1].op, "exists");
}

TEST(FalcoCondition, ErrorsCarryTheOffset) {
  auto c = ParseCondition("proc.name = x and (proc.pname = y");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().offset, 33u);
  auto d = ParseCondition("proc.name in (a, b");
  ASSERT_FALSE(d);
  auto e = ParseCondition("proc.name = \"open");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().offset, 12u);
  EXPECT_FALSE(ParseCondition("and x"));
  EXPECT_FALSE(ParseCondition(""));
}

TEST(FalcoCondition, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '(');
  auto c = ParseCondition(deep + "x");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("nests more than"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 50000; ++i) nots += "not ";
  EXPECT_FALSE(ParseCondition(nots + "x"));
}

TEST(FalcoYaml, EveryTruncationOfARulesFileIsReadOrRefused) {
  const std::string text =
      "- list: l\n  items: [a, \"b c\", '\"d\"']\n"
      "- macro: m\n  condition: (evt.type in (execve) and proc.name in (l))\n"
      "- rule: R\n  desc: >\n    d\n  condition: >\n    m and not proc.pname=x\n"
      "  output: o %proc.name\n  priority: WARNING\n  tags: [T1059]\n"
      "  exceptions:\n    - name: e\n      fields: [proc.name]\n      values: [[a]]\n";
  size_t read = 0;
  for (size_t n = 0; n <= text.size(); ++n) {
    auto r = ParseFalcoText(text.substr(0, n), "t.yaml");
    if (r) {
      ++read;
    } else {
      EXPECT_EQ(r.error().rfind("t.yaml:", 0), 0u) << r.error();
    }
    std::string path = WriteTemp("trunc.yaml", text.substr(0, n));
    ImportOptions o;
    o.inputs = {path};
    auto imported = ImportFalco(o);  // never a crash; an error or a report
    if (imported) {
      for (const auto& rule : imported->report.rules)
        EXPECT_TRUE(rule.conversion != Conversion::kNotConverted || !rule.reason.empty());
    }
  }
  EXPECT_GT(read, 0u);
}

TEST(FalcoImport, CyclesInMacrosAndListsAreRefusedNotExpandedForever) {
  auto r = Import(
      "- list: l\n  items: [l, l, a, l]\n"
      "- macro: m\n  condition: m or m or m\n"
      "- rule: Cycle\n  desc: d\n  condition: evt.type=execve and m\n  output: o\n"
      "  priority: INFO\n"
      "- rule: Self list\n  desc: d\n  condition: evt.type=execve and proc.name in (l)\n"
      "  output: o\n  priority: INFO\n");
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->report.rules.size(), 2u);
  EXPECT_NE(Find(r->report, "Cycle")->reason.find("macro 'm' uses itself"), std::string::npos)
      << Find(r->report, "Cycle")->reason;
  EXPECT_NE(Find(r->report, "Self list")->conversion, Conversion::kNotConverted);
}

TEST(FalcoYaml, MalformedYamlIsAPreciseError) {
  auto r = ParseFalcoText("- rule: x\n  condition: [unclosed\n", "f.yaml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("f.yaml:"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("malformed YAML"), std::string::npos) << r.error();
}

TEST(FalcoYaml, WrongTypesAreErrorsAtTheValue) {
  auto items = ParseFalcoText("- list: l\n  items: notalist\n", "f.yaml");
  ASSERT_FALSE(items);
  EXPECT_EQ(items.error(), "f.yaml:2:10: items must be a sequence, not a scalar");
  auto cond = ParseFalcoText("- macro: m\n  condition: {a: b}\n", "f.yaml");
  ASSERT_FALSE(cond);
  EXPECT_EQ(cond.error(), "f.yaml:2:14: condition must be a string, not a mapping");
  auto en = ParseFalcoText("- rule: r\n  enabled: maybe\n", "f.yaml");
  ASSERT_FALSE(en);
  EXPECT_EQ(en.error(), "f.yaml:2:12: enabled must be true or false");
  auto key = ParseFalcoText("- rule: r\n  bogus: 1\n", "f.yaml");
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error(), "f.yaml:2:3: unknown key 'bogus'");
  auto top = ParseFalcoText("rule: r\n", "f.yaml");
  ASSERT_FALSE(top);
  EXPECT_NE(top.error().find("f.yaml:1:1: a Falco rules file is a sequence"), std::string::npos);
  auto none = ParseFalcoText("- desc: x\n", "f.yaml");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error(), "f.yaml:1:3: an item needs one of rule, macro, list");
  auto scalar_item = ParseFalcoText("- 42\n", "f.yaml");
  ASSERT_FALSE(scalar_item);
  auto ex = ParseFalcoText(
      "- rule: r\n  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n"
      "      values: [[a]]\n",
      "f.yaml");
  ASSERT_FALSE(ex);
  EXPECT_NE(ex.error().find("a tuple of 1 values for 2 fields"), std::string::npos) << ex.error();
}

TEST(FalcoYaml, ImportOfAMissingFileIsAnError) {
  ImportOptions o;
  o.inputs = {"/nonexistent/rules.yaml"};
  auto r = ImportFalco(o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("cannot read"), std::string::npos);
}

TEST(FalcoImport, UnknownMacroOrFieldIsNotConvertedWithTheReason) {
  auto r = Import(
      "- rule: Uses unknown macro\n  desc: d\n  condition: evt.type=execve and nosuch_macro\n"
      "  output: o\n  priority: WARNING\n"
      "- rule: Uses unknown field\n  desc: d\n  condition: evt.type=execve and proc.nosuch=1\n"
      "  output: o\n  priority: WARNING\n"
      "- rule: Bad condition\n  desc: d\n  condition: evt.type=execve and (proc.name=x\n"
      "  output: o\n  priority: WARNING\n"
      "- rule: No event type\n  desc: d\n  condition: proc.name=x\n  output: o\n"
      "  priority: WARNING\n");
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->report.rules.size(), 4u);
  EXPECT_EQ(r->report.Count(Conversion::kNotConverted), 4u);
  EXPECT_NE(Find(r->report, "Uses unknown macro")->reason.find("unknown macro 'nosuch_macro'"),
            std::string::npos);
  EXPECT_NE(Find(r->report, "Uses unknown field")->reason.find("proc.nosuch"), std::string::npos);
  // The condition is a plain scalar on line 13, column 14; the error is at the end of the text.
  EXPECT_NE(Find(r->report, "Bad condition")->reason.find("rules.yaml:13:46: expected ')'"),
            std::string::npos)
      << Find(r->report, "Bad condition")->reason;
  EXPECT_NE(Find(r->report, "No event type")->reason.find("evt.type"), std::string::npos);
  EXPECT_EQ(r->vgl.find("rule "), std::string::npos);
}

TEST(FalcoImport, RuleMacroListConvertWithFieldMapAndTests) {
  auto r = Import(
      "# SPDX-License-Identifier: Apache-2.0\n"
      "- list: shell_binaries\n  items: [bash, sh]\n"
      "- list: unused_list\n  items: [a]\n"
      "- macro: spawned_process\n  condition: evt.type in (execve, execveat)\n"
      "- macro: never_true\n  condition: (evt.num=0)\n"
      "- rule: Shell from web\n  desc: A shell under nginx\n"
      "  condition: spawned_process and proc.name in (shell_binaries) and proc.pname=nginx "
      "and not never_true\n"
      "  output: Shell %proc.name under %proc.pname (user=%user.name fd=%fd.name)\n"
      "  priority: WARNING\n  tags: [host, mitre_execution, T1059.004]\n");
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->report.rules.size(), 1u);
  const auto& rep = r->report.rules[0];
  EXPECT_EQ(rep.vigil_rule, "falco_shell_from_web");
  EXPECT_NE(rep.conversion, Conversion::kNotConverted) << rep.reason;
  const std::string& v = r->vgl;
  EXPECT_NE(v.find("list falco_shell_binaries = [\"bash\", \"sh\"]"), std::string::npos) << v;
  EXPECT_EQ(v.find("unused_list"), std::string::npos);
  EXPECT_NE(v.find("macro falco_spawned_process = evt.type == \"exec\""), std::string::npos) << v;
  EXPECT_NE(v.find("on         exec\n"), std::string::npos) << v;
  EXPECT_NE(v.find("when       falco_spawned_process and proc.name in falco_shell_binaries and "
                   "proc.parent.name == \"nginx\""),
            std::string::npos)
      << v;
  EXPECT_NE(v.find("severity   warning"), std::string::npos);
  EXPECT_NE(v.find("mitre      [TA0002, T1059.004]"), std::string::npos) << v;
  EXPECT_NE(v.find("license    \"Apache-2.0\""), std::string::npos);
  EXPECT_NE(v.find("origin     \"falco:Shell from web ("), std::string::npos);
  // fd.name is not carried by exec events: the pair leaves the output, stated.
  EXPECT_NE(v.find("output     \"Shell {proc.name} under {proc.parent.name} (user={user.name}\""),
            std::string::npos)
      << v;
  EXPECT_EQ(rep.approximations.size(), 1u);
  EXPECT_NE(v.find("test falco_shell_from_web {\n  alert exec {"), std::string::npos) << v;
  EXPECT_NE(v.find("proc.ancestors.name: [\"nginx\"]"), std::string::npos) << v;
  EXPECT_NE(v.find("  quiet exec {"), std::string::npos) << v;
  ASSERT_EQ(r->report.notes.size(), 2u);
  EXPECT_NE(r->report.notes[0].find("2 lists read: 1 written"), std::string::npos);
  EXPECT_NE(r->report.notes[1].find("2 macros read: 1 written"), std::string::npos);
}

TEST(FalcoImport, AppendOverrideAndExceptions) {
  auto r = Import(
      "- list: editors\n  items: [vi]\n"
      "- list: editors\n  items: [nano]\n  append: true\n"
      "- macro: open_write\n  condition: evt.type=openat and evt.is_open_write=true\n"
      "- rule: Write etc\n  desc: d\n  condition: open_write and fd.name startswith /etc/\n"
      "  output: '%fd.name'\n  priority: ERROR\n"
      "  exceptions:\n    - name: editors_in_etc\n      fields: [proc.name, fd.directory]\n"
      "      comps: [in, =]\n      values: [[editors, /etc]]\n"
      "- rule: Write etc\n  condition: and not proc.name=apt\n  override: {condition: append}\n"
      "- rule: Nothing here\n  exceptions: []\n  append: true\n");
  ASSERT_TRUE(r) << r.error();
  const std::string& v = r->vgl;
  EXPECT_NE(v.find("exception editors_in_etc: proc.name in, file.dir in [([\"vi\", \"nano\"], "
                   "\"/etc\")]"),
            std::string::npos)
      << v;
  EXPECT_NE(v.find("not proc.name == \"apt\""), std::string::npos) << v;
  EXPECT_NE(v.find("severity   error"), std::string::npos);
  const RuleReport* orphan = Find(r->report, "Nothing here");
  ASSERT_NE(orphan, nullptr);
  EXPECT_EQ(orphan->conversion, Conversion::kNotConverted);
  // The alert case must not fall into the exception; the quiet one is derived from it.
  EXPECT_NE(v.find("alert open {"), std::string::npos) << v;
}

TEST(FalcoTranslate, DroppedFieldsBroadenAndAreStated) {
  Vocabulary voc;
  Translator tr(voc);
  auto c = ParseCondition(
      "evt.type=init_module and thread.cap_effective icontains sys_module and not "
      "proc.duration <= 5");
  ASSERT_TRUE(c);
  std::set<std::string> approx;
  auto v = tr.Condition(*c, &approx);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(Render(*v), "evt.type == \"module_load\"");
  EXPECT_EQ(approx.size(), 2u);
}

TEST(FalcoTranslate, FieldMap) {
  Vocabulary voc;
  voc.lists["nets"] = {"\"10.0.0.0/8\""};
  Translator tr(voc);
  auto conv = [&](const std::string& text) {
    auto c = ParseCondition(text);
    EXPECT_TRUE(c) << text;
    std::set<std::string> approx;
    auto v = tr.Condition(*c, &approx);
    return v ? Render(*v) : "ERROR " + v.error();
  };
  EXPECT_EQ(conv("fd.directory = /etc"), "file.dir == \"/etc\"");
  EXPECT_EQ(conv("proc.aname[2] = sshd"), "proc.aname[2] == \"sshd\"");
  EXPECT_EQ(conv("proc.aname = sshd"), "proc.ancestors.name contains \"sshd\"");
  EXPECT_EQ(conv("container.id != host"), "container.id != \"\"");
  EXPECT_EQ(conv("proc.tty != 0"), "proc.tty_dev != 0");
  EXPECT_EQ(conv("fd.num >= 0"), "not evt.failed");
  EXPECT_EQ(conv("evt.res startswith E"), "evt.failed");
  EXPECT_EQ(conv("evt.arg.request contains PTRACE_ATTACH"), "ptrace.request == PTRACE_ATTACH");
  EXPECT_EQ(conv("fd.snet in (nets)"), "net.daddr in [cidr(\"10.0.0.0/8\")]");
  EXPECT_EQ(conv("proc.args startswith \"-c /dev/shm\""),
            "proc.cmdline matches \"^[^ ]* -c /dev/shm\"");
  EXPECT_EQ(conv("proc.cwd startswith /dev/shm/"),
            "(proc.cwd == \"/dev/shm\" or proc.cwd startswith \"/dev/shm/\")");
  EXPECT_EQ(conv("proc.exe startswith ./"), "proc.argv0 startswith \"./\"");
  EXPECT_EQ(conv("container.image.repository in ()"), "false");
  EXPECT_EQ(conv("fd.sip.name = x").rfind("ERROR", 0), 0u);
}

TEST(FalcoTestgen, AlertHoldsAndQuietDoesNot) {
  Vocabulary voc;
  Translator tr(voc);
  auto c = ParseCondition(
      "evt.type=openat and fd.name startswith /etc/ and fd.nameraw contains '../' and "
      "fd.nameraw glob '*../*../*' and not proc.pname in (bash, sh)");
  ASSERT_TRUE(c);
  std::set<std::string> approx;
  auto v = tr.Condition(*c, &approx);
  ASSERT_TRUE(v) << v.error();
  auto t = DeriveTests(*v, {"open"});
  ASSERT_TRUE(t.alert);
  ASSERT_TRUE(t.quiet);
  EXPECT_TRUE(Evaluate(*v, Complete(t.alert->fields, "open")));
  EXPECT_FALSE(Evaluate(*v, Complete(t.quiet->fields, "open")));
}

TEST(FalcoWriter, OutputTemplateAndTags) {
  std::vector<std::string> dropped;
  EXPECT_EQ(ConvertOutput("Read %fd.name by %proc.name {x} gp=%proc.aname[2] c=%container.start_ts",
                          {"open"}, &dropped),
            "Read {file.path} by {proc.name} {{x}} gp={proc.aname[2]}");
  EXPECT_EQ(dropped, std::vector<std::string>{"container.start_ts"});
  std::vector<std::string> other;
  EXPECT_EQ(MitreOf({"T1555", "mitre_persistence", "TA0003", "PCI_DSS_11.5.1", "T12"}, &other),
            (std::vector<std::string>{"T1555", "TA0003"}));
  EXPECT_EQ(other, (std::vector<std::string>{"mitre_persistence", "PCI_DSS_11_5_1", "T12"}));
  EXPECT_EQ(SeverityOf("WARNING"), "warning");
  EXPECT_EQ(SeverityOf("LOUD"), "");
}

}  // namespace
}  // namespace vigil::importer::falco
