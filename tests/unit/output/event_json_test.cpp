// The one event schema (docs/events.md): what `vigil trace` and `vigil record` write is what
// `vigil replay` reads, hostile strings never break a line, and the raw kernel record sits under
// "kernel" without disturbing the rule fields.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>
#include <random>

#include "bpf/events.h"
#include "kernel/event.h"
#include "match/derive.h"
#include "match/event_record.h"
#include "output/event_json.h"
#include "output/record_json.h"

namespace vigil::output {
namespace {

using lang::FieldId;

match::EventRecord ConnectRecord(const std::string& name) {
  match::EventRecord r;
  r.set_type(lang::EventType::kConnect);
  r.set_policies(1);
  r.set_policy_version(3);
  r.SetUint(FieldId::kEvtBoottime, 5'000'000'001);
  r.SetInt(FieldId::kEvtRetval, -111);
  r.SetInt(FieldId::kProcPid, 4242);
  r.SetString(FieldId::kProcName, name);
  r.SetAddress(FieldId::kNetDaddr, *ParseIpAddress("2001:db8::1"));
  r.SetInt(FieldId::kNetDport, 443);
  match::DeriveFields(r);
  return r;
}

kernel::Event ConnectEvent(const std::string& comm) {
  kernel::Event e;
  e.type = VIGIL_EVT_CONNECT;
  e.syscall = VIGIL_SC_connect;
  e.retval = -111;
  e.cpu = 1;
  e.comm = comm;
  e.has_addr = true;
  e.addr.family = AF_INET6;
  e.addr.ip = *ParseIpAddress("2001:db8::1");
  e.addr.port = 443;
  return e;
}

TEST(EventJson, RuleFieldsKernelRecordAndMetadata) {
  const kernel::Event e = ConnectEvent("curl");
  const nlohmann::json j = EventToJson(ConnectRecord("curl"), &e, kernel::ClockSource::kBoottime);
  EXPECT_EQ(j["evt"]["type"], "connect");
  EXPECT_EQ(j["evt"]["retval"], -111);
  EXPECT_EQ(j["net"]["daddr"], "2001:db8::1");
  EXPECT_EQ(j["net"]["dport"], 443);
  EXPECT_EQ(j["policies"], 1);
  EXPECT_EQ(j["policy_version"], 3);
  EXPECT_EQ(j["kernel"]["syscall"], "connect");
  EXPECT_EQ(j["kernel"]["error"], "ECONNREFUSED");
  EXPECT_EQ(j["kernel"]["clock"], "boottime");
  EXPECT_EQ(j["kernel"]["cpu"], 1);
  EXPECT_EQ(j["kernel"]["args"]["addr"]["family"], "AF_INET6");
  EXPECT_EQ(j["kernel"]["args"]["addr"]["address"], "2001:db8::1");
  EXPECT_EQ(j["kernel"]["args"]["addr"]["port"], 443);
}

TEST(EventJson, WhatTraceWritesReplayReadsBack) {
  const kernel::Event e = ConnectEvent("curl");
  const match::EventRecord written = ConnectRecord("curl");
  const std::string line = DumpJsonLine(EventToJson(written, &e, kernel::ClockSource::kBoottime));
  match::EventRecord read;
  auto status = RecordFromJson(nlohmann::json::parse(line), {}, &read);
  ASSERT_TRUE(status) << status.error();
  EXPECT_EQ(read.type(), lang::EventType::kConnect);
  EXPECT_EQ(read.Int(FieldId::kProcPid), 4242);
  EXPECT_EQ(read.String(FieldId::kProcName), "curl");
  EXPECT_EQ(read.Address(FieldId::kNetDaddr), written.Address(FieldId::kNetDaddr));
  EXPECT_EQ(read.Int(FieldId::kNetDport), 443);
  EXPECT_EQ(read.policies(), 1u);
  EXPECT_EQ(read.policy_version(), 3u);
}

TEST(EventJson, HostileStringsNeverBreakALine) {
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 64, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xff);
    const kernel::Event e = ConnectEvent(s);
    const std::string line =
        DumpJsonLine(EventToJson(ConnectRecord(s), &e, kernel::ClockSource::kBoottime));
    for (unsigned char c : line) ASSERT_GE(c, 0x20) << "raw control character in output";
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    ASSERT_TRUE(j["proc"]["name"].is_string());
  }
  for (const std::string& s : {std::string("a\nb"), std::string("\x1b[31mred"),
                               std::string("\xc2\x9b"), std::string("\xe2\x80\xa8")}) {
    const kernel::Event e = ConnectEvent(s);
    const std::string line =
        DumpJsonLine(EventToJson(ConnectRecord(s), &e, kernel::ClockSource::kBoottime));
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(line.find('\x1b'), std::string::npos);
    EXPECT_EQ(line.find("\xc2\x9b"), std::string::npos);
    EXPECT_EQ(line.find("\xe2\x80\xa8"), std::string::npos);
  }
}

}  // namespace
}  // namespace vigil::output
