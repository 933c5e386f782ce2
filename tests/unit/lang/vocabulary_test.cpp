// The one vocabulary (bpf/vocabulary.h, lang/field_table.h): every stage that derives a table
// from it sees the same event types, scope filter kinds and fields, with the same numbers.
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <string_view>

#include "bpf/events.h"
#include "kernel/event_types.h"
#include "kernel/syscall_table.h"
#include "lang/events.h"
#include "lang/fields.h"
#include "lang/scope.h"

namespace vigil {
namespace {

// "proc.parent.pid" -> "ProcParentPid", "tcp_state" -> "TcpState": the C++ spelling of a row.
std::string CamelCase(std::string_view name) {
  std::string out;
  bool start = true;
  for (char c : name) {
    if (c == '.' || c == '_') {
      start = true;
      continue;
    }
    out += start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    start = false;
  }
  return out;
}

// "tcp_state" -> "TCP_STATE": the C spelling of a row.
std::string UpperCase(std::string_view name) {
  std::string out;
  for (char c : name) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

struct Row {
  std::string_view c_id;
  std::string_view cpp_id;
  std::string_view name;
};

TEST(Vocabulary, EventTypeRowsSpellTheirNameInEveryLanguage) {
  const Row rows[] = {
#define VIGIL_X_ROW(ID, Name, name, ...) {#ID, #Name, name},
      VIGIL_EVENT_TYPES(VIGIL_X_ROW)
#undef VIGIL_X_ROW
  };
  for (const Row& row : rows) {
    EXPECT_EQ(row.c_id, UpperCase(row.name));
    EXPECT_EQ(row.cpp_id, CamelCase(row.name));
  }
}

TEST(Vocabulary, EventTypesRoundTripBetweenNameAndNumberInLangAndKernel) {
  ASSERT_EQ(lang::AllEventTypes().size(), size_t{VIGIL_EVT_MAX});
  ASSERT_EQ(static_cast<size_t>(lang::EventType::kCount), size_t{VIGIL_EVT_MAX});
  std::set<std::string_view> names;
  for (size_t i = 0; i < lang::AllEventTypes().size(); ++i) {
    const lang::EventTypeInfo& info = lang::AllEventTypes()[i];
    SCOPED_TRACE(info.name);
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate name";
    EXPECT_EQ(static_cast<size_t>(info.type), i);
    EXPECT_EQ(lang::EventTypeByName(info.name), info.type);
    EXPECT_EQ(lang::EventTypeName(info.type), info.name);
    EXPECT_EQ(lang::EventTypeFromKernel(static_cast<uint16_t>(i)), info.type);
    EXPECT_EQ(kernel::EventTypeFromName(info.name), static_cast<uint16_t>(i));
    EXPECT_EQ(std::string_view(kernel::EventTypeName(static_cast<uint16_t>(i))), info.name);
    EXPECT_FALSE(info.sources.empty());
    EXPECT_FALSE(info.description.empty());
  }
  EXPECT_EQ(lang::EventTypeFromKernel(VIGIL_EVT_MAX), std::nullopt);
  EXPECT_EQ(std::string_view(kernel::EventTypeName(VIGIL_EVT_MAX)), "unknown");
  EXPECT_EQ(kernel::EventTypeFromName("none"), std::nullopt);
  EXPECT_EQ(lang::kAllEvents, (lang::EventMask{1} << VIGIL_EVT_MAX) - 1);
}

TEST(Vocabulary, LifecycleEventsAreTheLifecycleRows) {
  std::set<uint16_t> lifecycle;
  for (uint16_t t = 0; t < VIGIL_EVT_MAX; ++t)
    if (kernel::IsLifecycleEvent(t)) lifecycle.insert(t);
  EXPECT_EQ(lifecycle, (std::set<uint16_t>{VIGIL_EVT_EXEC, VIGIL_EVT_FORK, VIGIL_EVT_EXIT}));
  EXPECT_FALSE(kernel::IsLifecycleEvent(VIGIL_EVT_MAX));
}

TEST(Vocabulary, SyscallEventTypesAndSyscallRowsAgree) {
  const vigil_event_origin origin[] = {
#define VIGIL_X_ORIGIN(ID, Name, name, origin, ...) VIGIL_ORIGIN_##origin,
      VIGIL_EVENT_TYPES(VIGIL_X_ORIGIN)
#undef VIGIL_X_ORIGIN
  };
  std::set<uint16_t> traced;
  for (const kernel::SyscallInfo& sc : kernel::AllSyscalls()) {
    ASSERT_LT(sc.event, VIGIL_EVT_MAX) << sc.name;
    EXPECT_EQ(origin[sc.event], VIGIL_ORIGIN_SYSCALL)
        << sc.name << " produces " << kernel::EventTypeName(sc.event);
    traced.insert(sc.event);
  }
  for (uint16_t t = 0; t < VIGIL_EVT_MAX; ++t) {
    if (origin[t] != VIGIL_ORIGIN_SYSCALL) continue;
    EXPECT_TRUE(traced.count(t)) << kernel::EventTypeName(t) << " has no VIGIL_SYSCALLS row";
  }
}

TEST(Vocabulary, ScopeFilterKindsShareTheKernelNumberingAndNames) {
  const Row rows[] = {
#define VIGIL_X_ROW(ID, Name, name, ...) {#ID, #Name, name},
      VIGIL_SCOPE_KINDS(VIGIL_X_ROW)
#undef VIGIL_X_ROW
  };
  ASSERT_EQ(lang::AllScopeFilterKinds().size(), size_t{VIGIL_SCOPE_KIND_MAX});
  ASSERT_EQ(std::size(rows), size_t{VIGIL_SCOPE_KIND_MAX});
  std::set<std::string_view> names;
  for (size_t i = 0; i < lang::AllScopeFilterKinds().size(); ++i) {
    const lang::ScopeFilterKindInfo& info = lang::AllScopeFilterKinds()[i];
    SCOPED_TRACE(info.name);
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate name";
    EXPECT_EQ(static_cast<size_t>(info.kind), i);
    EXPECT_EQ(std::string_view(lang::ScopeFilterKindName(info.kind)), info.name);
    EXPECT_EQ(rows[i].name, info.name);
    EXPECT_EQ(rows[i].c_id, UpperCase(info.name));
    EXPECT_EQ(rows[i].cpp_id, CamelCase(info.name));
  }
  EXPECT_EQ(static_cast<int>(lang::ScopeFilterKind::kBinary), VIGIL_SCOPE_BINARY);
  EXPECT_STREQ(lang::ScopeFilterKindName(static_cast<lang::ScopeFilterKind>(VIGIL_SCOPE_KIND_MAX)),
               "?");
}

TEST(Vocabulary, FieldIdsIndexAllFields) {
  struct FieldRow {
    lang::FieldId id;
    std::string_view cpp_id;
    std::string_view name;
  };
  const FieldRow rows[] = {
#define VIGIL_X_ROW(Id, name, ...) {lang::FieldId::k##Id, #Id, name},
      VIGIL_FIELDS(VIGIL_X_ROW)
#undef VIGIL_X_ROW
  };
  ASSERT_EQ(lang::AllFields().size(), lang::kFieldCount);
  ASSERT_EQ(std::size(rows), lang::kFieldCount);
  std::set<std::string_view> names;
  for (size_t i = 0; i < std::size(rows); ++i) {
    const FieldRow& row = rows[i];
    SCOPED_TRACE(row.name);
    EXPECT_TRUE(names.insert(row.name).second) << "duplicate name";
    EXPECT_EQ(static_cast<size_t>(row.id), i);
    EXPECT_EQ(lang::AllFields()[i].name, row.name);
    EXPECT_EQ(lang::Field(row.id).name, row.name);
    EXPECT_EQ(lang::FieldByName(row.name), row.id);
    EXPECT_EQ(row.cpp_id, CamelCase(row.name));
    EXPECT_NE(lang::Field(row.id).events, 0u) << "carried by no event type";
    EXPECT_EQ(lang::Field(row.id).events & ~lang::kAllEvents, 0u);
  }
  EXPECT_EQ(lang::FieldByName("proc.pidd"), std::nullopt);
}

}  // namespace
}  // namespace vigil
