#include "output/alert.h"

#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>

#include "output/json_text.h"
#include "output/record_json.h"
#include "output/record_json_writer.h"
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

void AppendRfc3339Nanos(std::string* out, uint64_t ns) {
  // The date and time of day change once a second, and events come in time order: each thread
  // keeps the text of the last second it formatted.
  thread_local uint64_t cached_secs = UINT64_MAX;
  thread_local char cached[32];
  thread_local size_t cached_size = 0;
  const uint64_t secs = ns / 1000000000ull;
  if (secs != cached_secs) {
    const time_t t = static_cast<time_t>(secs);
    struct tm tm {};
    gmtime_r(&t, &tm);
    cached_size = std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_secs = secs;
  }
  out->append(cached, cached_size);
  char frac[11];
  frac[0] = '.';
  frac[10] = 'Z';
  for (uint64_t f = ns % 1000000000ull, i = 9; i >= 1; --i, f /= 10)
    frac[i] = static_cast<char>('0' + f % 10);
  out->append(frac, sizeof frac);
}

std::string Rfc3339Nanos(uint64_t ns) {
  std::string s;
  AppendRfc3339Nanos(&s, ns);
  return s;
}

namespace {

void AppendTime(std::string* out, std::string_view key, uint64_t ns) {
  AppendJsonKey(out, key);
  out->push_back('"');
  AppendRfc3339Nanos(out, ns);  // digits and punctuation: nothing to escape
  out->push_back('"');
}

void AppendStrings(std::string* out, const std::vector<std::string>& items) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(out, items[i]);
  }
  out->push_back(']');
}

// {"events":[{"pid","proc.name","step","time"}],"key":{"container.id":""},"kind":"sequence"}
void AppendCorrelation(std::string* out, const match::CompiledRule& rule, const match::Firing& f) {
  using Kind = match::CompiledCorrelation::Kind;
  const match::CompiledCorrelation& c = rule.correlation;
  out->append("{\"events\":[");
  for (size_t i = 0; i < f.events.size(); ++i) {
    const auto& e = f.events[i];
    if (i) out->push_back(',');
    out->append("{\"pid\":");
    AppendJsonInt(out, e.pid);
    out->append(",\"proc.name\":");
    AppendJsonString(out, e.name);
    if (e.step < c.steps.size()) {
      out->append(",\"step\":");
      AppendJsonString(out, c.steps[e.step].name);
    }
    out->push_back(',');
    AppendTime(out, "time", e.time_ns);
    out->push_back('}');
  }
  // The key's fields by name, in byte order; a name given twice keeps its last value.
  std::map<std::string_view, std::string_view> key;
  for (size_t i = 0; i < c.by.size() && i < f.key.size(); ++i)
    key[lang::Field(c.by[i]).name] = f.key[i];
  out->append("],\"key\":{");
  bool first = true;
  for (const auto& [name, value] : key) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, name);
    out->push_back(':');
    AppendJsonString(out, value);
  }
  out->append("},\"kind\":");
  AppendJsonString(out, c.kind == Kind::kCount      ? "count"
                        : c.kind == Kind::kSequence ? "sequence"
                                                    : "any_order");
  out->push_back('}');
}

}  // namespace

// The keys in byte order, as nlohmann's sorted objects wrote them before (the bytes are
// checked against that form by unit.AlertJson).
void AppendAlertJsonLine(const Alert& a, std::string* out) {
  out->append("{\"action\":");
  AppendJsonString(out, a.action() == lang::ast::Action::kKill ? "kill" : "alert");
  if (a.boottime_ns) {
    out->append(",\"boottime\":");
    AppendJsonUint(out, *a.boottime_ns);
  }
  if (a.firing) {
    out->append(",\"correlation\":");
    AppendCorrelation(out, *a.rule, *a.firing);
  }
  out->append(",\"description\":");
  AppendJsonString(out, a.rule->desc);
  out->append(",\"event\":");
  AppendRecordJson(*a.event, {.metadata = false}, out);
  out->append(",\"hostname\":");
  AppendJsonString(out, a.envelope.hostname);
  out->append(",\"id\":");
  AppendJsonString(out, a.envelope.id);
  out->append(",\"incomplete\":");
  AppendJsonBool(out, a.incomplete);
  if (!a.killed_by.empty()) {
    out->append(",\"killed_by\":");
    AppendJsonString(out, a.killed_by);
  }
  out->append(",\"mitre\":");
  AppendStrings(out, a.rule->mitre);
  if (!a.not_killed.empty()) {
    out->append(",\"not_killed\":");
    AppendJsonString(out, a.not_killed);
  }
  out->append(",\"output\":");
  AppendJsonString(out, a.output);
  out->append(",\"policies\":[");
  for (size_t i = 0; i < a.policies.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(out, a.policies[i]->name);
  }
  out->append("],\"policy\":");
  AppendJsonString(out, a.policies.empty() ? std::string_view() : a.policies.front()->name);
  // The policy version the kernel decided the event under (the agent; 0 = offline, omitted).
  if (a.event->policy_version() != 0) {
    out->append(",\"policy_version\":");
    AppendJsonUint(out, a.event->policy_version());
  }
  out->append(",\"rule\":");
  AppendJsonString(out, a.rule->name);
  out->append(",\"schema_version\":");
  AppendJsonInt(out, kAlertSchemaVersion);
  out->append(",\"severity\":");
  AppendJsonString(out, lang::ast::SeverityName(a.rule->severity));
  if (a.throttle.suppressed > 0) {
    out->append(",\"suppressed\":");
    AppendJsonUint(out, a.throttle.suppressed);
    out->push_back(',');
    AppendTime(out, "suppressed_first", a.throttle.first_ns);
    out->push_back(',');
    AppendTime(out, "suppressed_last", a.throttle.last_ns);
  }
  out->append(",\"tags\":");
  AppendStrings(out, a.rule->tags);
  if (a.throttle.suppressed > 0 && a.throttle.summary) out->append(",\"throttle_summary\":true");
  if (a.time_ns) {
    out->push_back(',');
    AppendTime(out, "time", *a.time_ns);
  }
  out->append(",\"vigil_version\":");
  AppendJsonString(out, VigilVersion());
  out->append("}\n");
}

std::string AlertJsonLine(const Alert& a) {
  std::string out;
  AppendAlertJsonLine(a, &out);
  return out;
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
