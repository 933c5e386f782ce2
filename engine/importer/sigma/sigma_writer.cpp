#include "importer/sigma/sigma_writer.h"

#include <cctype>

#include "importer/sigma/sigma_testgen.h"
#include "importer/vgl_text.h"
#include "lang/events.h"
#include "lang/fields.h"

namespace vigil::importer::sigma {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Braces(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '{' || c == '}') out += c;
  }
  return out;
}

// The event as an event of `type`: fields it does not carry removed (they would be refused).
Event ForType(Event ev, const std::string& type) {
  auto t = lang::EventTypeByName(type);
  for (auto it = ev.begin(); it != ev.end();) {
    auto id = lang::FieldByName(it->first);
    bool carried = id && t && (lang::Field(*id).events & lang::Bit(*t));
    it = carried && it->first != "evt.type" ? std::next(it) : ev.erase(it);
  }
  return ev;
}

// The type of a generated event: its evt.type when the condition set one, else the first type.
std::string TypeOf(const Event& ev, const std::vector<std::string>& types) {
  auto it = ev.find("evt.type");
  if (it != ev.end())
    for (const auto& t : types)
      if (t == it->second.text) return t;
  return types.front();
}

}  // namespace

std::string SeverityFromLevel(const std::string& level) {
  std::string l = Lower(level);
  if (l == "informational" || l == "info") return "info";
  if (l == "low" || l == "medium" || l == "high" || l == "critical") return l;
  return "medium";
}

std::vector<std::string> MitreIds(const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  for (const auto& tag : tags) {
    std::string t = Lower(tag);
    if (t.rfind("attack.t", 0) != 0 || t.size() < 13) continue;
    std::string id = t.substr(7);
    bool ok = std::isdigit(static_cast<unsigned char>(id[1])) != 0;
    for (size_t i = 1; i < id.size() && ok; ++i)
      ok = std::isdigit(static_cast<unsigned char>(id[i])) || id[i] == '.';
    if (!ok) continue;
    for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
  return out;
}

std::vector<std::string> TacticTags(const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  for (const auto& tag : tags) {
    std::string t = Lower(tag);
    if (t.rfind("attack.", 0) != 0) continue;
    std::string name = t.substr(7);
    if (name.empty() ||
        (name[0] == 't' && name.size() > 1 && std::isdigit(static_cast<unsigned char>(name[1]))) ||
        name[0] == 'g' || name[0] == 's')
      continue;  // techniques (in mitre), groups, software
    std::string word = VglName("", name);
    if (std::find(out.begin(), out.end(), word) == out.end()) out.push_back(word);
  }
  return out;
}

std::string OutputTemplate(const SigmaRule& rule) {
  std::string head = "Sigma: " + Braces(rule.title) + ": ";
  const auto& t = rule.event_types;
  auto all = [&](const char* field) {
    auto id = lang::FieldByName(field);
    for (const auto& type : t)
      if (!(lang::Field(*id).events & lang::Bit(*lang::EventTypeByName(type)))) return false;
    return true;
  };
  if (t.size() == 1 && t[0] == "exec")
    return head + "{proc.cmdline} (pid {proc.pid}, parent {proc.parent.exe}, user {user.name})";
  if (all("net.daddr"))
    return head + "{proc.exe} (pid {proc.pid}) {evt.type} {net.daddr}:{net.dport}";
  if (all("file.path")) return head + "{proc.exe} (pid {proc.pid}) {evt.type} {file.path}";
  return head + "{proc.exe} (pid {proc.pid}) {evt.type}";
}

std::vector<std::string> TestLines(const Expr& condition, const std::vector<std::string>& types) {
  std::vector<std::string> lines;
  TestCases cases = GenerateTests(condition);
  for (bool alert : {true, false}) {
    for (const auto& raw : alert ? cases.alert : cases.quiet) {
      std::string type = TypeOf(raw, types);
      Event ev = ForType(raw, type);
      Event with_type = ev;
      with_type["evt.type"] = EventValue{FieldType::kString, type, 0, false};
      if (Evaluate(condition, with_type) != alert) continue;  // a field the type lacks mattered
      lines.push_back(std::string(alert ? "alert " : "quiet ") + type + " " + RenderEvent(ev));
    }
  }
  return lines;
}

Result<std::string> WriteRule(const SigmaRule& r, const std::string& name) {
  std::vector<std::string> tests = TestLines(r.condition, r.event_types);
  if (tests.empty() || tests.front().rfind("alert", 0) != 0)
    return Error{"no event that makes the converted condition true could be built for its test"};
  std::string out = "# Sigma " + r.id + ": " + r.title + "\n";
  for (const auto& a : r.approximations) out += "# approximation: " + a + "\n";
  out += "rule " + name + " {\n";
  out += "  desc       " + VglString(r.description.empty() ? r.title : r.description) + "\n";
  out += "  severity   " + SeverityFromLevel(r.level) + "\n";
  auto mitre = MitreIds(r.tags);
  if (!mitre.empty()) {
    out += "  mitre      [";
    for (size_t i = 0; i < mitre.size(); ++i) out += (i ? ", " : "") + mitre[i];
    out += "]\n";
  }
  out += "  tags       [sigma";
  for (const auto& t : TacticTags(r.tags)) out += ", " + t;
  out += "]\n";
  out += "  origin     " + VglString("sigma:" + r.id + " (" + r.file + ")") + "\n";
  if (!r.author.empty()) out += "  author     " + VglString(r.author) + "\n";
  out += "  license    \"DRL-1.1\"\n";
  if (!r.references.empty()) {
    out += "  references [";
    for (size_t i = 0; i < r.references.size(); ++i)
      out += (i ? ", " : "") + VglString(r.references[i]);
    out += "]\n";
  }
  out += "  on         ";
  if (r.event_types.size() == 1) {
    out += r.event_types[0];
  } else {
    out += "[";
    for (size_t i = 0; i < r.event_types.size(); ++i) out += (i ? ", " : "") + r.event_types[i];
    out += "]";
  }
  out += "\n";
  Expr cond = Simplify(r.condition);
  if (!(cond.kind == Expr::Kind::kConst && cond.value))
    out += "  when       " + RenderCondition(cond) + "\n";
  out += "  output     " + VglString(OutputTemplate(r)) + "\n";
  out += "}\n\n";
  out += "test " + name + " {\n";
  for (const auto& line : tests) out += "  " + line + "\n";
  out += "}\n";
  return out;
}

}  // namespace vigil::importer::sigma
