// An alert: a rule matched an event. One JSON line for programs (schema: docs/alerts.md) or
// one text line for people. Strings from the monitored system are escaped in both: invalid
// UTF-8 becomes U+FFFD, control characters become escapes, so no alert can break a JSON line
// or a terminal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "match/correlator.h"
#include "match/event_record.h"
#include "match/rule_set.h"
#include "match/rule_throttle.h"

namespace vigil::output {

// The version of the alert schema (docs/alerts.md): raised when a key changes meaning or goes
// away; new keys do not raise it. 2: id, schema_version, hostname, vigil_version, description.
inline constexpr int kAlertSchemaVersion = 2;

// What every alert carries besides its rule: its id (AlertIdGenerator) and the host it was
// raised on.
struct AlertEnvelope {
  std::string id;
  std::string hostname;
};

// Adds `id`, `schema_version`, `hostname` and `vigil_version` to an alert object.
void AddEnvelope(nlohmann::json& j, const AlertEnvelope& envelope);

// This build's version ("0.1.0").
const char* VigilVersion();

struct Alert {
  AlertEnvelope envelope;  // hostname: the event's host.name (MakeAlert), when it has one
  const match::CompiledRule* rule = nullptr;
  std::vector<const match::PolicyInfo*> policies;  // the event's policies that select the rule
  std::string output;                              // rendered rule output (raw bytes)
  const match::EventRecord* event = nullptr;
  std::optional<uint64_t> time_ns;      // wall clock, ns since the Unix epoch (evt.time)
  std::optional<uint64_t> boottime_ns;  // CLOCK_BOOTTIME ns (evt.boottime)
  bool incomplete = false;
  // For action kill, who killed the process: "kernel" (at exec, in BPF), "user" (the agent, after
  // the match), "failed" (the signal could not be sent) or "none" (not_killed says why). Empty
  // otherwise (and offline).
  std::string killed_by;
  // Why a kill was not carried out: "would kill: audit mode (--kill-audit)" or "protected: it is
  // vigil itself", ... Empty otherwise.
  std::string not_killed;
  // A correlation that fired: its key and the events that made it (the last is `event`).
  const match::Firing* firing = nullptr;
  // The rule's throttle: alerts held back before this one (docs/alerts.md).
  match::ThrottleVerdict throttle;

  // The strongest action of its policies: kill if any asks for it.
  lang::ast::Action action() const;
};

// Everything an alert says, from a match (policies in index order). `firing` is the
// correlation's, for a match with `firing` >= 0 (Correlator::firings()).
Alert MakeAlert(const match::RuleSet& rules, const match::RuleMatch& m, const match::EventRecord& r,
                const match::Firing* firing = nullptr);

// One JSON object and a newline. Keys are sorted, so equal alerts give equal bytes.
std::string AlertJsonLine(const Alert& a);
// The same line appended to `out` (written straight into the buffer, without nlohmann).
void AppendAlertJsonLine(const Alert& a, std::string* out);
// The alert as Falco writes one with json_output, the payload falcosidekick takes on its HTTP
// input: output, priority (Falco's names), rule, time, output_fields (the event's fields by
// their dotted names), source "syscall", tags, hostname and uuid (the alert id). One JSON object
// and a newline.
std::string AlertFalcoJsonLine(const Alert& a);
// Falco's priority for a severity: info -> Informational, low -> Notice, medium -> Warning,
// high -> Error, critical -> Critical.
const char* FalcoPriority(lang::ast::Severity severity);
// "TIME SEVERITY RULE [POLICY,...] OUTPUT" and a newline, terminal-safe.
std::string AlertTextLine(const Alert& a);

// 2026-11-25T09:38:20.123456789Z
std::string Rfc3339Nanos(uint64_t ns_since_epoch);
void AppendRfc3339Nanos(std::string* out, uint64_t ns_since_epoch);

}  // namespace vigil::output
