#include "output/alert.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "output/record_json.h"
#include "output/terminal_text.h"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.0.0"
#endif

namespace vigil::output {

const char* VigilVersion() {
  return VIGIL_VERSION;
}

void AddEnvelope(nlohmann::json& j, const AlertEnvelope& envelope) {
  j["id"] = envelope.id;
  j["schema_version"] = kAlertSchemaVersion;
  j["hostname"] = envelope.hostname;
  j["vigil_version"] = VigilVersion();
}

lang::ast::Action Alert::action() const {
  for (const auto* p : policies)
    if (p->action == lang::ast::Action::kKill) return lang::ast::Action::kKill;
  return lang::ast::Action::kAlert;
}

Alert MakeAlert(const match::RuleSet& rules, const match::RuleMatch& m, const match::EventRecord& r,
                const match::Firing* firing) {
  Alert a;
  a.firing = firing;
  a.rule = &rules.rules().at(m.rule);
  for (unsigned i = 0; i < 64; ++i)
    if (m.policies & (uint64_t{1} << i))
      if (const auto* p = rules.PolicyAt(i)) a.policies.push_back(p);
  a.rule->output.Render(r, &a.output);
  a.event = &r;
  if (r.Has(lang::FieldId::kEvtTime)) a.time_ns = r.Uint(lang::FieldId::kEvtTime);
  if (r.Has(lang::FieldId::kEvtBoottime)) a.boottime_ns = r.Uint(lang::FieldId::kEvtBoottime);
  a.incomplete = r.incomplete();
  if (r.Has(lang::FieldId::kHostName))
    a.envelope.hostname = std::string(r.String(lang::FieldId::kHostName));
  return a;
}

std::string Rfc3339Nanos(uint64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1000000000ull);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%09lluZ",
                static_cast<unsigned long long>(ns % 1000000000ull));
  return buf;
}

namespace {

// {"kind": "sequence", "key": {"container.id": ""}, "events": [{"time", "pid", "step", ...}]}
nlohmann::json CorrelationJson(const match::CompiledRule& rule, const match::Firing& f) {
  using Kind = match::CompiledCorrelation::Kind;
  const match::CompiledCorrelation& c = rule.correlation;
  nlohmann::json j;
  j["kind"] = c.kind == Kind::kCount      ? "count"
              : c.kind == Kind::kSequence ? "sequence"
                                          : "any_order";
  j["key"] = nlohmann::json::object();
  for (size_t i = 0; i < c.by.size() && i < f.key.size(); ++i)
    j["key"][std::string(lang::Field(c.by[i]).name)] = f.key[i];
  j["events"] = nlohmann::json::array();
  for (const auto& e : f.events) {
    nlohmann::json ev;
    ev["time"] = Rfc3339Nanos(e.time_ns);
    ev["pid"] = e.pid;
    ev["proc.name"] = e.name;
    if (e.step < c.steps.size()) ev["step"] = c.steps[e.step].name;
    j["events"].push_back(std::move(ev));
  }
  return j;
}

}  // namespace

std::string AlertJsonLine(const Alert& a) {
  nlohmann::json j;
  if (a.time_ns) j["time"] = Rfc3339Nanos(*a.time_ns);
  if (a.boottime_ns) j["boottime"] = *a.boottime_ns;
  AddEnvelope(j, a.envelope);
  j["rule"] = a.rule->name;
  j["description"] = a.rule->desc;
  j["severity"] = lang::ast::SeverityName(a.rule->severity);
  j["policy"] = a.policies.empty() ? std::string() : a.policies.front()->name;
  j["policies"] = nlohmann::json::array();
  for (const auto* p : a.policies) j["policies"].push_back(p->name);
  j["action"] = a.action() == lang::ast::Action::kKill ? "kill" : "alert";
  if (!a.killed_by.empty()) j["killed_by"] = a.killed_by;
  if (!a.not_killed.empty()) j["not_killed"] = a.not_killed;
  // The policy version the kernel decided the event under (the agent; 0 = offline, omitted).
  if (a.event && a.event->policy_version() != 0) j["policy_version"] = a.event->policy_version();
  j["output"] = a.output;
  j["mitre"] = a.rule->mitre;
  j["tags"] = a.rule->tags;
  j["event"] = RecordToJson(*a.event, {.metadata = false});
  j["incomplete"] = a.incomplete;
  if (a.firing) j["correlation"] = CorrelationJson(*a.rule, *a.firing);
  if (a.throttle.suppressed > 0) {
    j["suppressed"] = a.throttle.suppressed;
    j["suppressed_first"] = Rfc3339Nanos(a.throttle.first_ns);
    j["suppressed_last"] = Rfc3339Nanos(a.throttle.last_ns);
    if (a.throttle.summary) j["throttle_summary"] = true;
  }
  return DumpJsonLine(j) + "\n";
}

const char* FalcoPriority(lang::ast::Severity severity) {
  switch (severity) {
    case lang::ast::Severity::kInfo:
      return "Informational";
    case lang::ast::Severity::kLow:
      return "Notice";
    case lang::ast::Severity::kMedium:
      return "Warning";
    case lang::ast::Severity::kHigh:
      return "Error";
    case lang::ast::Severity::kCritical:
      return "Critical";
  }
  return "Warning";
}

namespace {

// {"proc":{"name":"cat"}} -> {"proc.name":"cat"}; arrays stay values.
void Flatten(const nlohmann::json& j, const std::string& prefix, nlohmann::json& out) {
  for (const auto& [key, value] : j.items()) {
    std::string name = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object())
      Flatten(value, name, out);
    else
      out[name] = value;
  }
}

}  // namespace

std::string AlertFalcoJsonLine(const Alert& a) {
  nlohmann::json j;
  j["uuid"] = a.envelope.id;
  j["hostname"] = a.envelope.hostname;
  j["output"] = a.output;
  j["priority"] = FalcoPriority(a.rule->severity);
  j["rule"] = a.rule->name;
  // falcosidekick requires a time; an event without one (a hand-written replay file) gets the
  // epoch rather than an invalid payload.
  j["time"] = Rfc3339Nanos(a.time_ns.value_or(0));
  j["source"] = "syscall";
  j["tags"] = a.rule->tags;
  nlohmann::json fields = nlohmann::json::object();
  if (a.event) Flatten(RecordToJson(*a.event, {.metadata = false}), "", fields);
  j["output_fields"] = std::move(fields);
  return DumpJsonLine(j) + "\n";
}

std::string AlertTextLine(const Alert& a) {
  std::string line = a.time_ns ? Rfc3339Nanos(*a.time_ns) : std::string("-");
  line += " ";
  line += lang::ast::SeverityName(a.rule->severity);
  line += " ";
  line += a.rule->name;
  line += " [";
  for (size_t i = 0; i < a.policies.size(); ++i) line += (i ? "," : "") + a.policies[i]->name;
  line += "] ";
  line += TerminalSafe(a.output);
  if (a.incomplete) line += " (incomplete process context)";
  if (a.firing) {
    line += " (after";
    for (const auto& e : a.firing->events)
      line += " " + Rfc3339Nanos(e.time_ns) + " pid " + std::to_string(e.pid) + ";";
    line.back() = ')';
    if (!a.firing->key.empty()) {
      line += " key";
      for (const auto& k : a.firing->key) line += " " + TerminalSafe(k);
    }
  }
  if (a.throttle.suppressed > 0)
    line += std::string(a.throttle.summary ? " (throttle window closed: " : " (") +
            std::to_string(a.throttle.suppressed) + " suppressed " +
            Rfc3339Nanos(a.throttle.first_ns) + " .. " + Rfc3339Nanos(a.throttle.last_ns) + ")";
  if (!a.not_killed.empty())
    line += " (not killed: " + a.not_killed + ")";
  else if (!a.killed_by.empty())
    line += " (killed by " + a.killed_by + ")";
  return line + "\n";
}

}  // namespace vigil::output
