// Sigma's Linux log sources and their fields (the Sysmon-for-Linux taxonomy, and auditd's raw
// record fields) in vigil's terms: which event types a log source becomes, and which vigil field
// each Sigma field is. docs/import.md shows the same table.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "importer/sigma/sigma_expr.h"

namespace vigil::importer::sigma {

enum class LogSource { kProcessCreation, kFileEvent, kNetworkConnection, kAuditd, kOther };

// product/category/service to a log source; kOther for everything vigil has no sensor for.
LogSource ClassifyLogSource(std::string_view product, std::string_view category,
                            std::string_view service);

// The event types a log source may become (before its condition narrows them).
std::vector<std::string> CandidateEventTypes(LogSource source);

// Pseudo-fields: tests of these are decided per event type, then dropped from the condition.
inline constexpr const char* kDirectionField = "sigma.initiated";         // network_connection
inline constexpr const char* kAuditTypeField = "sigma.audit_type";        // auditd record type
inline constexpr const char* kAuditSyscallField = "sigma.audit_syscall";  // auditd SYSCALL

struct FieldMapping {
  VField field;
  // Set when the mapping is not exact: what differs (stated in the report and the rule).
  std::string approximation;
  // auditd aN (N >= 1): matched anywhere in proc.cmdline, so every operator becomes contains.
  bool as_substring = false;
};

// The vigil field for a Sigma field of this log source, or nullopt when vigil has none.
std::optional<FieldMapping> MapField(LogSource source, std::string_view sigma_field);

// One row per supported Sigma field: (log sources, Sigma field, vigil field, note), for docs and
// tests.
struct FieldMapRow {
  const char* sources;
  const char* sigma;
  const char* vigil;
  const char* note;
};
const std::vector<FieldMapRow>& FieldMapTable();

}  // namespace vigil::importer::sigma
