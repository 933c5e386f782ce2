#include "importer/sigma/sigma_field_map.h"

#include <cctype>

namespace vigil::importer::sigma {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

constexpr unsigned kProc = 1u << 0, kFile = 1u << 1, kNet = 1u << 2, kAudit = 1u << 3;

struct Row {
  unsigned sources;
  const char* sigma;
  const char* vigil;
  FieldType type;
  const char* approximation;  // "" when exact
  const char* sources_text;
};

constexpr unsigned kSysmon = kProc | kFile | kNet;

// Sigma field names are matched case-sensitively for Sysmon (as Sigma writes them) and
// case-insensitively for auditd's raw fields.
const Row kRows[] = {
    {kSysmon, "Image", "proc.exe", FieldType::kString, "",
     "process_creation, file_event, network_connection"},
    {kSysmon, "CommandLine", "proc.cmdline", FieldType::kString, "",
     "process_creation, file_event, network_connection"},
    {kSysmon, "ParentImage", "proc.parent.exe", FieldType::kString, "",
     "process_creation, file_event, network_connection"},
    {kSysmon, "ParentCommandLine", "proc.parent.cmdline", FieldType::kString, "",
     "process_creation, file_event, network_connection"},
    {kSysmon, "User", "user.name", FieldType::kString, "",
     "process_creation, file_event, network_connection"},
    {kSysmon, "CurrentDirectory", "proc.cwd", FieldType::kString, "",
     "process_creation, file_event, network_connection"},
    {kSysmon, "LogonId", "proc.loginuid", FieldType::kUint, "",
     "process_creation, file_event, network_connection"},
    {kSysmon, "ProcessId", "proc.pid", FieldType::kInt, "",
     "process_creation, file_event, network_connection"},
    {kSysmon, "ParentProcessId", "proc.ppid", FieldType::kInt, "",
     "process_creation, file_event, network_connection"},
    {kFile, "TargetFilename", "file.path", FieldType::kString, "", "file_event"},
    {kNet, "DestinationIp", "net.daddr", FieldType::kAddress, "", "network_connection"},
    {kNet, "DestinationPort", "net.dport", FieldType::kInt, "", "network_connection"},
    {kNet, "SourceIp", "net.saddr", FieldType::kAddress, "", "network_connection"},
    {kNet, "SourcePort", "net.sport", FieldType::kInt, "", "network_connection"},
    {kNet, "Initiated", kDirectionField, FieldType::kBool, "", "network_connection"},
    {kAudit, "type", kAuditTypeField, FieldType::kString, "", "auditd"},
    {kAudit, "exe", "proc.exe", FieldType::kString, "", "auditd"},
    {kAudit, "comm", "proc.name", FieldType::kString, "", "auditd"},
    {kAudit, "a0", "proc.argv0", FieldType::kString, "", "auditd"},
    {kAudit, "name", "file.path", FieldType::kString, "", "auditd"},
    {kAudit, "cwd", "proc.cwd", FieldType::kString, "", "auditd"},
    {kAudit, "pid", "proc.pid", FieldType::kInt, "", "auditd"},
    {kAudit, "ppid", "proc.ppid", FieldType::kInt, "", "auditd"},
    {kAudit, "uid", "proc.uid", FieldType::kUint, "", "auditd"},
    {kAudit, "euid", "proc.euid", FieldType::kUint, "", "auditd"},
    {kAudit, "gid", "proc.gid", FieldType::kUint, "", "auditd"},
    {kAudit, "auid", "proc.loginuid", FieldType::kUint, "", "auditd"},
};

unsigned SourceBit(LogSource s) {
  switch (s) {
    case LogSource::kProcessCreation:
      return kProc;
    case LogSource::kFileEvent:
      return kFile;
    case LogSource::kNetworkConnection:
      return kNet;
    case LogSource::kAuditd:
      return kAudit;
    case LogSource::kOther:
      return 0;
  }
  return 0;
}

}  // namespace

LogSource ClassifyLogSource(std::string_view product, std::string_view category,
                            std::string_view service) {
  std::string p = Lower(product), c = Lower(category), s = Lower(service);
  if (!p.empty() && p != "linux") return LogSource::kOther;
  if (s.empty()) {
    if (c == "process_creation") return LogSource::kProcessCreation;
    if (c == "file_event") return LogSource::kFileEvent;
    if (c == "network_connection") return LogSource::kNetworkConnection;
    return LogSource::kOther;
  }
  if (s == "auditd" && c.empty()) return LogSource::kAuditd;
  return LogSource::kOther;
}

std::vector<std::string> CandidateEventTypes(LogSource source) {
  switch (source) {
    case LogSource::kProcessCreation:
      return {"exec"};
    case LogSource::kFileEvent:
      return {"open"};
    case LogSource::kNetworkConnection:
      return {"connect", "accept"};
    case LogSource::kAuditd:
      return {};  // every syscall type: decided by the record type and SYSCALL (sigma_rule.cpp)
    case LogSource::kOther:
      return {};
  }
  return {};
}

std::optional<FieldMapping> MapField(LogSource source, std::string_view sigma_field) {
  unsigned bit = SourceBit(source);
  if (source == LogSource::kAuditd) {
    std::string f = Lower(sigma_field);
    if (f == "syscall") return FieldMapping{{kAuditSyscallField, FieldType::kString}, "", false};
    if (f.size() == 2 && f[0] == 'a' && f[1] >= '1' && f[1] <= '9')
      return FieldMapping{{"proc.cmdline", FieldType::kString},
                          "auditd " + f + " (argument " + f.substr(1) +
                              ") is matched anywhere in proc.cmdline: vigil has no field for one "
                              "argument by position",
                          true};
    for (const auto& r : kRows)
      if ((r.sources & bit) && Lower(r.sigma) == f)
        return FieldMapping{{r.vigil, r.type}, r.approximation, false};
    return std::nullopt;
  }
  for (const auto& r : kRows)
    if ((r.sources & bit) && sigma_field == r.sigma)
      return FieldMapping{{r.vigil, r.type}, r.approximation, false};
  return std::nullopt;
}

const std::vector<FieldMapRow>& FieldMapTable() {
  static const std::vector<FieldMapRow> table = [] {
    std::vector<FieldMapRow> t;
    for (const auto& r : kRows) {
      t.push_back({r.sources_text, r.sigma, r.vigil, r.approximation});
    }
    t.push_back({"auditd", "SYSCALL", "(the event type)", "the syscall's vigil event type"});
    t.push_back({"auditd", "a1 .. a9", "proc.cmdline",
                 "approximate: matched anywhere in the command line (contains)"});
    return t;
  }();
  return table;
}

}  // namespace vigil::importer::sigma
