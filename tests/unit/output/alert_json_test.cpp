// The hand-written JSON of the replay and alert paths (json_text, record_json_writer, alert)
// against nlohmann, which wrote the same lines before: the same bytes for every input. Random
// strings are biased towards the bytes that need care (controls, quotes, DEL, broken and
// overlong UTF-8, C1 controls, U+2028), random records set every field of the registry.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "output/alert.h"
#include "output/json_text.h"
#include "output/record_json.h"
#include "output/record_json_writer.h"

namespace vigil::output {
namespace {

using nlohmann::json;

std::string Escaped(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string Reference(std::string_view s) {
  return DumpJsonLine(json(std::string(s)));
}

// Bytes that decide escaping and UTF-8 decoding, and plain ones.
std::string RandomString(std::mt19937_64& rng, size_t max_len = 12) {
  static const unsigned char kBytes[] = {
      'a',  'Z',  '0',  ' ',  '/',  '"',  '\\', 0x00, 0x01, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f,
      0x7f, 0x80, 0x85, 0x8f, 0x90, 0x9f, 0xa0, 0xa8, 0xa9, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xdf,
      0xe0, 0xe1, 0xe2, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff};
  std::string s(rng() % (max_len + 1), '\0');
  for (auto& c : s)
    c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : kBytes[rng() % sizeof kBytes]);
  return s;
}

TEST(JsonText, StringsAreEscapedAsDumpJsonLineEscapesThem) {
  const std::vector<std::string> fixed = {
      "",
      "plain /usr/bin/bash",
      "quote \" backslash \\ slash /",
      std::string("nul \0 and \x01\x1f controls \b\f\n\r\t", 27),
      "del \x7f",
      "c1 \xc2\x80 \xc2\x9b \xc2\x9f, not c1 \xc2\xa0",
      "line sep \xe2\x80\xa8 para sep \xe2\x80\xa9 other \xe2\x80\xa7",
      "utf-8 \xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80",
      "lone \x80 continuation, \xff, \xfe, \xc0\xaf overlong, \xe0\x80\xaf overlong",
      "surrogate \xed\xa0\x80 and \xed\x9f\xbf",
      "above max \xf4\x90\x80\x80 \xf5\x80\x80\x80, max \xf4\x8f\xbf\xbf",
      "cut \xe2\x82",
      "cut \xf0\x9f\x98",
      "\xc3",
      "broken \xe2\x28\xa1 \xf0\x28\x8c\x28 \xc3\x28",
  };
  for (const auto& s : fixed)
    EXPECT_EQ(Escaped(s), Reference(s))
        << json(s).dump(-1, ' ', true, json::error_handler_t::replace);
  std::mt19937_64 rng(16);
  for (int i = 0; i < 200000; ++i) {
    // Short strings, and strings long enough to be scanned 16 bytes at a time.
    const std::string s = RandomString(rng, i % 2 ? 12 : 70);
    ASSERT_EQ(Escaped(s), Reference(s)) << "case " << i;
  }
  // One byte to escape (or to decode) at every place of a plain string of 1 to 50 bytes.
  for (size_t n = 1; n <= 50; ++n) {
    for (size_t at = 0; at < n; ++at) {
      for (const char* special : {"\"", "\\", "\x01", "\x7f", "\xc3\xa9", "\xff"}) {
        std::string s(n, 'p');
        s.replace(at, 1, special);
        ASSERT_EQ(Escaped(s), Reference(s)) << n << " " << at;
      }
    }
  }
}

TEST(JsonText, IntegersAreDecimal) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{42}, INT64_MIN, INT64_MAX}) {
    std::string out;
    AppendJsonInt(&out, v);
    EXPECT_EQ(out, json(v).dump());
  }
  for (uint64_t v : {uint64_t{0}, uint64_t{7}, UINT64_MAX}) {
    std::string out;
    AppendJsonUint(&out, v);
    EXPECT_EQ(out, json(v).dump());
  }
}

// A record with each field present at random, with a value of its type.
match::EventRecord RandomRecord(std::mt19937_64& rng) {
  match::EventRecord r;
  const auto& all = lang::AllFields();
  const unsigned percent = static_cast<unsigned>(rng() % 100);
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].indexed || rng() % 100 >= percent) continue;
    const auto id = static_cast<lang::FieldId>(i);
    switch (all[i].type) {
      case lang::Type::kString:
        r.SetString(id, RandomString(rng, 24));
        break;
      case lang::Type::kInt:
        r.SetInt(id, rng() % 3 == 0 ? static_cast<int64_t>(rng())
                                    : static_cast<int64_t>(rng() % 200) - 100);
        break;
      case lang::Type::kUint:
      case lang::Type::kFlags:
        r.SetUint(id, rng() % 3 == 0 ? rng() : rng() % 1000);
        break;
      case lang::Type::kBool:
        r.SetBool(id, rng() % 2);
        break;
      case lang::Type::kAddress:
        r.SetAddress(id, *ParseIpAddress(rng() % 2 ? "10.1.2.3" : "2001:db8::7"));
        break;
      case lang::Type::kStringList:
        r.ClearList(id);
        for (size_t n = rng() % 4; n > 0; --n) r.AppendToList(id, RandomString(rng));
        break;
    }
  }
  if (rng() % 3 == 0) r.set_incomplete(true);
  if (rng() % 3 == 0) r.set_policy_version(static_cast<uint32_t>(rng()));
  if (rng() % 3 == 0) r.set_policies(rng() % 2 ? 0 : rng());
  return r;
}

TEST(RecordJsonWriter, WritesTheBytesOfRecordToJson) {
  std::mt19937_64 rng(1616);
  match::EventRecord empty;
  for (bool metadata : {true, false}) {
    std::string out;
    AppendRecordJson(empty, {.metadata = metadata}, &out);
    EXPECT_EQ(out, DumpJsonLine(RecordToJson(empty, {.metadata = metadata})));
  }
  for (int i = 0; i < 3000; ++i) {
    const match::EventRecord r = RandomRecord(rng);
    for (bool metadata : {true, false}) {
      std::string out = "prefix";
      AppendRecordJson(r, {.metadata = metadata}, &out);
      ASSERT_EQ(out, "prefix" + DumpJsonLine(RecordToJson(r, {.metadata = metadata})))
          << "case " << i;
    }
  }
}

// The alert line as alert.cpp wrote it with nlohmann before it was written by hand: the
// reference the hand-written line must equal, byte for byte.
json ReferenceCorrelation(const match::CompiledRule& rule, const match::Firing& f) {
  using Kind = match::CompiledCorrelation::Kind;
  const match::CompiledCorrelation& c = rule.correlation;
  json j;
  j["kind"] = c.kind == Kind::kCount      ? "count"
              : c.kind == Kind::kSequence ? "sequence"
                                          : "any_order";
  j["key"] = json::object();
  for (size_t i = 0; i < c.by.size() && i < f.key.size(); ++i)
    j["key"][std::string(lang::Field(c.by[i]).name)] = f.key[i];
  j["events"] = json::array();
  for (const auto& e : f.events) {
    json ev;
    ev["time"] = Rfc3339Nanos(e.time_ns);
    ev["pid"] = e.pid;
    ev["proc.name"] = e.name;
    if (e.step < c.steps.size()) ev["step"] = c.steps[e.step].name;
    j["events"].push_back(std::move(ev));
  }
  return j;
}

std::string ReferenceAlertLine(const Alert& a) {
  json j;
  if (a.time_ns) j["time"] = Rfc3339Nanos(*a.time_ns);
  if (a.boottime_ns) j["boottime"] = *a.boottime_ns;
  AddEnvelope(j, a.envelope);
  j["rule"] = a.rule->name;
  j["description"] = a.rule->desc;
  j["severity"] = lang::ast::SeverityName(a.rule->severity);
  j["policy"] = a.policies.empty() ? std::string() : a.policies.front()->name;
  j["policies"] = json::array();
  for (const auto* p : a.policies) j["policies"].push_back(p->name);
  j["action"] = a.action() == lang::ast::Action::kKill ? "kill" : "alert";
  if (!a.killed_by.empty()) j["killed_by"] = a.killed_by;
  if (!a.not_killed.empty()) j["not_killed"] = a.not_killed;
  if (a.event && a.event->policy_version() != 0) j["policy_version"] = a.event->policy_version();
  j["output"] = a.output;
  j["mitre"] = a.rule->mitre;
  j["tags"] = a.rule->tags;
  j["event"] = RecordToJson(*a.event, {.metadata = false});
  j["incomplete"] = a.incomplete;
  if (a.firing) j["correlation"] = ReferenceCorrelation(*a.rule, *a.firing);
  if (a.throttle.suppressed > 0) {
    j["suppressed"] = a.throttle.suppressed;
    j["suppressed_first"] = Rfc3339Nanos(a.throttle.first_ns);
    j["suppressed_last"] = Rfc3339Nanos(a.throttle.last_ns);
    if (a.throttle.summary) j["throttle_summary"] = true;
  }
  return DumpJsonLine(j) + "\n";
}

std::vector<std::string> RandomStrings(std::mt19937_64& rng) {
  std::vector<std::string> v(rng() % 3);
  for (auto& s : v) s = RandomString(rng);
  return v;
}

TEST(AlertJson, WritesTheBytesNlohmannWrote) {
  using Kind = match::CompiledCorrelation::Kind;
  std::mt19937_64 rng(2026);
  const match::PolicyInfo policies[] = {
      {"host", 0, lang::ast::Action::kAlert, false},
      {"we\"b\xc2\x85", 1, lang::ast::Action::kKill, false},
      {"default", 2, lang::ast::Action::kAlert, true},
  };
  const lang::FieldId by[] = {lang::FieldId::kProcName, lang::FieldId::kContainerId,
                              lang::FieldId::kProcName, lang::FieldId::kUserName};
  for (int i = 0; i < 3000; ++i) {
    match::CompiledRule rule;
    rule.name = RandomString(rng);
    rule.desc = RandomString(rng, 40);
    rule.severity = static_cast<lang::ast::Severity>(rng() % 5);
    rule.mitre = RandomStrings(rng);
    rule.tags = RandomStrings(rng);
    const match::EventRecord record = RandomRecord(rng);
    Alert a;
    a.rule = &rule;
    a.event = &record;
    a.envelope = {RandomString(rng), RandomString(rng)};
    for (const auto& p : policies)
      if (rng() % 2) a.policies.push_back(&p);
    a.output = RandomString(rng, 60);
    if (rng() % 4) a.time_ns = rng();
    if (rng() % 4) a.boottime_ns = rng();
    a.incomplete = rng() % 2;
    if (rng() % 5 == 0) a.killed_by = RandomString(rng);
    if (rng() % 5 == 0) a.not_killed = RandomString(rng);
    match::Firing firing;
    if (rng() % 3 == 0) {
      rule.correlation.kind = static_cast<Kind>(1 + rng() % 3);
      for (size_t n = rng() % 4; n > 0; --n) rule.correlation.by.push_back(by[rng() % 4]);
      for (size_t n = rng() % 3; n > 0; --n) {
        match::CompiledStep step;
        step.name = RandomString(rng);
        rule.correlation.steps.push_back(std::move(step));
      }
      for (size_t n = rng() % 5; n > 0; --n) firing.key.push_back(RandomString(rng));
      for (size_t n = rng() % 4; n > 0; --n)
        firing.events.push_back({rng(), static_cast<int64_t>(rng()),
                                 static_cast<uint16_t>(rng() % 4), RandomString(rng)});
      a.firing = &firing;
    }
    if (rng() % 3 == 0) {
      a.throttle.suppressed = rng() % 3;
      a.throttle.first_ns = rng();
      a.throttle.last_ns = rng();
      a.throttle.summary = rng() % 2;
    }
    ASSERT_EQ(AlertJsonLine(a), ReferenceAlertLine(a)) << "case " << i;
  }
}

}  // namespace
}  // namespace vigil::output
