// vigil import sigma: value modifiers, conditions, the field map, test generation, hostile input
// (docs/import.md, "Sigma").
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "importer/importer.h"
#include "importer/sigma/sigma_condition.h"
#include "importer/sigma/sigma_field_map.h"
#include "importer/sigma/sigma_modifiers.h"
#include "importer/sigma/sigma_rule.h"
#include "importer/sigma/sigma_testgen.h"
#include "importer/sigma/sigma_writer.h"
#include "importer/sigma/sigma_yaml.h"

namespace vigil::importer::sigma {
namespace {

FieldMapping Cmdline() {
  return {{"proc.cmdline", FieldType::kString}, "", false};
}

std::string Cond(const FieldMapping& m, std::vector<std::string> mods,
                 std::vector<SigmaValue> values) {
  std::vector<std::string> approx;
  auto e = FieldCondition(m, mods, values, approx);
  if (!e) return "ERROR: " + e.error();
  return RenderCondition(*e);
}

TEST(SigmaModifiers, PlainValuesAreCaseInsensitiveEquality) {
  EXPECT_EQ(Cond(Cmdline(), {}, {"Whoami"}), "lower(proc.cmdline) == \"whoami\"");
  EXPECT_EQ(Cond(Cmdline(), {}, {"a", "B"}), "lower(proc.cmdline) in [\"a\", \"b\"]");
  EXPECT_EQ(Cond(Cmdline(), {"cased"}, {"Whoami"}), "proc.cmdline == \"Whoami\"");
}

TEST(SigmaModifiers, ContainsStartsEndsAndAll) {
  EXPECT_EQ(Cond(Cmdline(), {"contains"}, {"-R", "x"}), "proc.cmdline icontains [\"-r\", \"x\"]");
  EXPECT_EQ(Cond(Cmdline(), {"startswith"}, {"/TMP/"}), "lower(proc.cmdline) startswith \"/tmp/\"");
  EXPECT_EQ(Cond(Cmdline(), {"endswith"}, {"/ls", "/dir"}),
            "lower(proc.cmdline) endswith [\"/ls\", \"/dir\"]");
  EXPECT_EQ(Cond(Cmdline(), {"contains", "all"}, {"a", "b"}),
            "proc.cmdline icontains \"a\" and proc.cmdline icontains \"b\"");
  // An empty value with contains matches every present value.
  EXPECT_EQ(Cond(Cmdline(), {"contains"}, {""}), "exists proc.cmdline");
}

TEST(SigmaModifiers, WildcardsBecomeGlobs) {
  EXPECT_EQ(Cond(Cmdline(), {}, {"/etc/*.conf"}), "lower(proc.cmdline) glob \"/etc/*.conf\"");
  EXPECT_EQ(Cond(Cmdline(), {"contains"}, {"a?b"}), "lower(proc.cmdline) glob \"*a?b*\"");
  // Escaped wildcards are literal; a literal bracket is escaped in the glob.
  EXPECT_EQ(Cond(Cmdline(), {}, {"a\\*b"}), "lower(proc.cmdline) == \"a*b\"");
  auto w = ParseWildcards("x[1]*");
  EXPECT_TRUE(w.has_wildcards);
  EXPECT_EQ(w.glob, "x\\[1\\]*");
}

TEST(SigmaModifiers, RegexFlagsAndRefusal) {
  EXPECT_EQ(Cond(Cmdline(), {"re"}, {"\\s-O\\s"}), "proc.cmdline matches \"\\\\s-O\\\\s\"");
  EXPECT_EQ(Cond(Cmdline(), {"re", "i"}, {"abc"}), "proc.cmdline matches \"(?i)abc\"");
  // Look-ahead is not RE2: not converted, with the reason.
  EXPECT_NE(Cond(Cmdline(), {"re"}, {"a(?=b)"}).find("ERROR: regular expression"),
            std::string::npos);
}

TEST(SigmaModifiers, CidrAndAddresses) {
  FieldMapping ip{{"net.daddr", FieldType::kAddress}, "", false};
  EXPECT_EQ(Cond(ip, {"cidr"}, {"10.0.0.0/8", "fe80::/10"}),
            "net.daddr in [cidr(\"10.0.0.0/8\"), cidr(\"fe80::/10\")]");
  EXPECT_EQ(Cond(ip, {}, {"127.0.0.1"}), "net.daddr == \"127.0.0.1\"");
  EXPECT_NE(Cond(ip, {"cidr"}, {"10.0.0.0/33"}).find("ERROR"), std::string::npos);
  EXPECT_NE(Cond(ip, {"contains"}, {"10."}).find("ERROR"), std::string::npos);
  std::vector<std::string> approx;
  auto e = FieldCondition(ip, {"cidr"}, {"10.0.0.0/8"}, approx);
  ASSERT_TRUE(e);
  EXPECT_TRUE(Evaluate(*e, {{"net.daddr", EventValue{FieldType::kAddress, "10.1.2.3", 0, false}}}));
  EXPECT_FALSE(
      Evaluate(*e, {{"net.daddr", EventValue{FieldType::kAddress, "11.1.2.3", 0, false}}}));
}

TEST(SigmaModifiers, WindashBase64Base64offset) {
  auto dashes = WindashVariants("-enc x -y");
  ASSERT_EQ(dashes.size(), 5u);
  EXPECT_EQ(dashes[1], "/enc x /y");
  EXPECT_EQ(Base64("whoami"), "d2hvYW1p");
  EXPECT_EQ(Base64("ab"), "YWI=");
  // Sigma's base64offset of "/bin/sh": the three alignments.
  auto offsets = Base64Offsets("/bin/sh");
  ASSERT_EQ(offsets.size(), 3u);
  EXPECT_EQ(offsets[0], "L2Jpbi9za");
  EXPECT_EQ(offsets[1], "9iaW4vc2");
  EXPECT_EQ(offsets[2], "vYmluL3No");
  EXPECT_EQ(Cond(Cmdline(), {"base64", "contains"}, {"whoami"}),
            "proc.cmdline contains \"d2hvYW1p\"");
  EXPECT_EQ(Cond(Cmdline(), {"windash", "contains"}, {"-x"}).substr(0, 34),
            "proc.cmdline icontains [\"-x\", \"/x\"");
  EXPECT_NE(Cond(Cmdline(), {"wide"}, {"x"}).find("ERROR"), std::string::npos);
  EXPECT_EQ(Cond(Cmdline(), {"wide", "base64"}, {"a"}), "proc.cmdline == \"YQA=\"");
}

TEST(SigmaModifiers, ExistsNullNumbersAndUnsupported) {
  EXPECT_EQ(Cond(Cmdline(), {"exists"}, {"true"}), "exists proc.cmdline");
  EXPECT_EQ(Cond(Cmdline(), {"exists"}, {"false"}), "not (exists proc.cmdline)");
  EXPECT_EQ(Cond(Cmdline(), {}, {std::nullopt}), "not (exists proc.cmdline)");
  FieldMapping port{{"net.dport", FieldType::kInt}, "", false};
  EXPECT_EQ(Cond(port, {}, {"4444", "22"}), "net.dport in [4444, 22]");
  EXPECT_EQ(Cond(port, {"gte"}, {"1024"}), "net.dport >= 1024");
  EXPECT_NE(Cond(port, {}, {"http"}).find("not a whole number"), std::string::npos);
  EXPECT_NE(Cond(Cmdline(), {"fieldref"}, {"Image"}).find("unsupported modifier 'fieldref'"),
            std::string::npos);
  EXPECT_NE(Cond(Cmdline(), {"bogus"}, {"x"}).find("unsupported modifier 'bogus'"),
            std::string::npos);
  EXPECT_NE(Cond(Cmdline(), {"contains", "startswith"}, {"x"}).find("ERROR"), std::string::npos);
}

std::map<std::string, Expr> Selections() {
  auto leaf = [](const char* v) {
    return Leaf({{"proc.cmdline", FieldType::kString}, Op::kContains, v, 0, false});
  };
  return {{"selection_a", leaf("a")},
          {"selection_b", leaf("b")},
          {"filter_main_x", leaf("x")},
          {"_hidden", leaf("h")}};
}

std::string Parse(const std::string& c) {
  auto e = ParseCondition(c, Selections());
  return e ? RenderCondition(*e) : "ERROR: " + e.error();
}

TEST(SigmaCondition, QuantifiersNotAndParentheses) {
  EXPECT_EQ(Parse("1 of selection_*"), "proc.cmdline contains [\"a\", \"b\"]");
  EXPECT_EQ(Parse("all of selection_*"),
            "proc.cmdline contains \"a\" and proc.cmdline contains \"b\"");
  EXPECT_EQ(Parse("selection_a and not 1 of filter_main_*"),
            "proc.cmdline contains \"a\" and not (proc.cmdline contains \"x\")");
  EXPECT_EQ(Parse("(selection_a or selection_b) and not filter_main_x"),
            "(proc.cmdline contains [\"a\", \"b\"]) and not (proc.cmdline contains \"x\")");
  // `them` leaves out names starting with '_'.
  EXPECT_EQ(Parse("all of them"),
            "proc.cmdline contains \"x\" and proc.cmdline contains \"a\" and proc.cmdline "
            "contains \"b\"");
  EXPECT_EQ(Parse("NOT selection_a"), "not (proc.cmdline contains \"a\")");
}

TEST(SigmaCondition, ErrorsArePrecise) {
  EXPECT_EQ(Parse("selection_c"), "ERROR: condition, column 1: unknown selection 'selection_c'");
  EXPECT_EQ(Parse("selection_a and"),
            "ERROR: condition, column 16: a selection name is missing at the end");
  EXPECT_EQ(Parse("1 of nothing*"), "ERROR: condition, column 6: 'nothing*' matches no selection");
  EXPECT_NE(Parse("selection_a | count() > 5").find("correlation"), std::string::npos);
  EXPECT_NE(Parse("(selection_a").find("')' expected"), std::string::npos);
  // Deep nesting is refused, never a stack overflow.
  std::string deep(100000, '(');
  EXPECT_NE(Parse(deep + "selection_a").find("nested too deeply"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "not ";
  EXPECT_NE(Parse(nots + "selection_a").find("nested too deeply"), std::string::npos);
}

TEST(SigmaFieldMap, SysmonAndAuditdFields) {
  EXPECT_EQ(MapField(LogSource::kProcessCreation, "Image")->field.name, "proc.exe");
  EXPECT_EQ(MapField(LogSource::kProcessCreation, "ParentCommandLine")->field.name,
            "proc.parent.cmdline");
  EXPECT_EQ(MapField(LogSource::kProcessCreation, "LogonId")->field.type, FieldType::kUint);
  EXPECT_EQ(MapField(LogSource::kFileEvent, "TargetFilename")->field.name, "file.path");
  EXPECT_FALSE(MapField(LogSource::kProcessCreation, "TargetFilename"));
  EXPECT_EQ(MapField(LogSource::kNetworkConnection, "DestinationIp")->field.type,
            FieldType::kAddress);
  EXPECT_FALSE(MapField(LogSource::kNetworkConnection, "DestinationHostname"));
  EXPECT_EQ(MapField(LogSource::kAuditd, "a0")->field.name, "proc.argv0");
  auto a2 = MapField(LogSource::kAuditd, "a2");
  ASSERT_TRUE(a2);
  EXPECT_TRUE(a2->as_substring);
  EXPECT_FALSE(a2->approximation.empty());
  EXPECT_EQ(ClassifyLogSource("linux", "process_creation", ""), LogSource::kProcessCreation);
  EXPECT_EQ(ClassifyLogSource("linux", "", "auditd"), LogSource::kAuditd);
  EXPECT_EQ(ClassifyLogSource("linux", "", "sshd"), LogSource::kOther);
  EXPECT_EQ(ClassifyLogSource("windows", "process_creation", ""), LogSource::kOther);
}

YAML::Node Doc(const std::string& text) {
  return YAML::Load(text);
}

const char* kRule = R"(title: Test Rule
id: 11111111-2222-3333-4444-555555555555
author: someone
level: high
tags: [attack.execution, attack.t1059.004]
logsource: {product: linux, category: process_creation}
detection:
  selection:
    Image|endswith: /bash
    CommandLine|contains: ' -i '
  filter_main:
    ParentImage: /usr/sbin/sshd
  condition: selection and not 1 of filter_*
)";

TEST(SigmaRule, ConvertsAndGeneratesCheckedTests) {
  auto r = ConvertRule(Doc(kRule), "t.yml");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->event_types, std::vector<std::string>{"exec"});
  EXPECT_TRUE(r->approximations.empty());
  auto text = WriteRule(*r, "sigma_test_rule");
  ASSERT_TRUE(text) << text.error();
  EXPECT_NE(text->find("mitre      [T1059.004]"), std::string::npos);
  EXPECT_NE(text->find("tags       [sigma, execution]"), std::string::npos);
  EXPECT_NE(text->find("severity   high"), std::string::npos);
  EXPECT_NE(text->find("origin     \"sigma:11111111-2222-3333-4444-555555555555 (t.yml)\""),
            std::string::npos);
  EXPECT_NE(text->find("license    \"DRL-1.1\""), std::string::npos);
  TestCases cases = GenerateTests(r->condition);
  ASSERT_FALSE(cases.alert.empty());
  ASSERT_GE(cases.quiet.size(), 2u);  // the filter made true, and an unrelated event
  for (const auto& ev : cases.alert) EXPECT_TRUE(Evaluate(r->condition, ev));
  for (const auto& ev : cases.quiet) EXPECT_FALSE(Evaluate(r->condition, ev));
  // The quiet case from the filter has the filter's parent.
  EXPECT_EQ(cases.quiet[0].at("proc.parent.exe").text, "/usr/sbin/sshd");
}

TEST(SigmaRule, NetworkDirectionAndFileCreation) {
  auto net = ConvertRule(Doc(R"(title: n
logsource: {product: linux, category: network_connection}
detection:
  selection: {Initiated: 'true', DestinationPort: 4444}
  condition: selection
)"),
                         "n.yml");
  ASSERT_TRUE(net) << net.error();
  EXPECT_EQ(net->event_types, std::vector<std::string>{"connect"});
  EXPECT_EQ(RenderCondition(net->condition), "net.dport == 4444");
  auto file = ConvertRule(Doc(R"(title: f
logsource: {product: linux, category: file_event}
detection:
  selection: {TargetFilename|startswith: /etc/cron.d/}
  condition: selection
)"),
                          "f.yml");
  ASSERT_TRUE(file) << file.error();
  EXPECT_EQ(RenderCondition(file->condition),
            "open.create and lower(file.path) startswith \"/etc/cron.d/\"");
  ASSERT_EQ(file->approximations.size(), 1u);
}

TEST(SigmaRule, AuditdRecordTypesAndReasons) {
  auto exec = ConvertRule(Doc(R"(title: a
logsource: {product: linux, service: auditd}
detection:
  selection: {type: EXECVE, a0: whoami}
  condition: selection
)"),
                          "a.yml");
  ASSERT_TRUE(exec) << exec.error();
  EXPECT_EQ(exec->event_types, std::vector<std::string>{"exec"});
  EXPECT_EQ(RenderCondition(exec->condition), "lower(proc.argv0) == \"whoami\"");
  auto memfd = ConvertRule(Doc(R"(title: m
logsource: {product: linux, service: auditd}
detection:
  selection: {type: SYSCALL, SYSCALL: memfd_create}
  condition: selection
)"),
                           "m.yml");
  ASSERT_TRUE(memfd) << memfd.error();
  EXPECT_EQ(memfd->event_types, std::vector<std::string>{"memfd_create"});
  auto none = ConvertRule(Doc(R"(title: s
logsource: {product: linux, service: auditd}
detection:
  selection: {type: SERVICE_STOP}
  condition: selection
)"),
                          "s.yml");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("log source without a sensor: auditd record type SERVICE_STOP"),
            std::string::npos);
  auto key = ConvertRule(Doc(R"(title: k
logsource: {product: linux, service: auditd}
detection:
  selection: {key: susp}
  condition: selection
)"),
                         "k.yml");
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().find("k.yml:4:15: missing field: Sigma's 'key'"), std::string::npos)
      << key.error();
  auto syslog = ConvertRule(Doc("title: x\nlogsource: {product: linux, service: sshd}\n"
                                "detection: {keywords: [a], condition: keywords}\n"),
                            "x.yml");
  ASSERT_FALSE(syslog);
  EXPECT_NE(syslog.error().find("log source without a sensor"), std::string::npos);
}

TEST(SigmaHostileInput, MalformedYamlWrongTypesHugeFiles) {
  auto bad = ParseDocuments("title: [unclosed\nid: x\n", "bad.yml");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().rfind("bad.yml:", 0), 0u);
  EXPECT_NE(bad.error().find("not valid YAML"), std::string::npos);
  // Deep nesting: yaml-cpp's depth guard, reported as an error.
  auto deep = ParseDocuments(std::string(100000, '[') + "x", "deep.yml");
  EXPECT_FALSE(deep);
  // Wrong types: a title that is a map, a detection that is a list, a value that is a map.
  auto t = ConvertRule(Doc("title: {a: b}\n"), "t.yml");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error(), "t.yml:1:8: 'title' must be a string");
  auto d = ConvertRule(Doc("title: x\nlogsource: {product: linux, category: process_creation}\n"
                           "detection: [a]\n"),
                       "d.yml");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), "d.yml:3:12: 'detection' must be a mapping");
  auto v = ConvertRule(Doc("title: x\nlogsource: {product: linux, category: process_creation}\n"
                           "detection:\n  sel:\n    Image: {a: b}\n  condition: sel\n"),
                       "v.yml");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), "v.yml:5:12: the value of 'Image' must be a string, number or list");
  // A huge file is refused before parsing.
  auto dir = std::filesystem::temp_directory_path() / ("sigma_huge_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream big(dir / "big.yml");
    std::string line(1023, 'a');
    for (size_t i = 0; i <= kMaxSigmaFileBytes / 1024; ++i) big << "# " << line << "\n";
  }
  ImportOptions opt;
  opt.inputs = {dir.string()};
  auto result = ImportSigma(opt);
  ASSERT_TRUE(result) << result.error();
  ASSERT_EQ(result->report.rules.size(), 1u);
  EXPECT_EQ(result->report.rules[0].conversion, Conversion::kNotConverted);
  EXPECT_NE(result->report.rules[0].reason.find("larger than"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(SigmaImport, CorrelationAndEveryRuleOneEntry) {
  auto dir = std::filesystem::temp_directory_path() / ("sigma_corr_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "rules.yml") << R"(title: Discovery command
name: discovery_cmd
id: aaaaaaaa-0000-0000-0000-000000000001
logsource: {product: linux, category: process_creation}
detection:
  selection: {Image|endswith: [/whoami, /id]}
  condition: selection
level: low
---
title: Discovery burst
id: aaaaaaaa-0000-0000-0000-000000000002
correlation:
  type: event_count
  rules: [discovery_cmd]
  group-by: [User]
  timespan: 1m
  condition: {gte: 3}
level: medium
---
title: Hostname lookup
logsource: {product: linux, category: network_connection}
detection:
  selection: {DestinationHostname: evil.example}
  condition: selection
)";
  ImportOptions opt;
  opt.inputs = {dir.string()};
  auto result = ImportSigma(opt);
  ASSERT_TRUE(result) << result.error();
  const auto& rules = result->report.rules;
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].conversion, Conversion::kExact);
  EXPECT_EQ(rules[1].conversion, Conversion::kExact) << rules[1].reason;
  EXPECT_EQ(rules[2].conversion, Conversion::kNotConverted);
  EXPECT_NE(rules[2].reason.find("missing field: Sigma's 'DestinationHostname'"),
            std::string::npos);
  EXPECT_NE(result->vgl.find("count      3 within 1m\n  by         user.name"), std::string::npos)
      << result->vgl;
  std::filesystem::remove_all(dir);
}

TEST(SigmaTestGen, RegexSamples) {
  for (const char* p : {"\\s-O\\s", "(?:\\s-[^-\\s]{0,20}i|\\s--inode\\s)", "(.){200,}",
                        "-(W|R)\\s?(\\s|\"|')([0-9a-fA-F]{2}\\s?){2,20}(\\s|\"|')"}) {
    auto s = RegexSample(p);
    EXPECT_TRUE(s) << p;
  }
  EXPECT_FALSE(RegexSample("a(?=b)"));
}

}  // namespace
}  // namespace vigil::importer::sigma
