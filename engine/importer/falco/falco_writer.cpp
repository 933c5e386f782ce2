#include "importer/falco/falco_writer.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "importer/falco/falco_translate.h"
#include "importer/vgl_text.h"
#include "lang/events.h"
#include "lang/fields.h"

namespace vigil::importer::falco {
namespace {

bool FieldChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '[' ||
         c == ']';
}

bool Carried(const std::string& vfield, const std::vector<std::string>& types) {
  auto id = lang::FieldByName(vfield.substr(0, vfield.find('[')));
  if (!id) return false;
  for (const auto& t : types) {
    auto et = lang::EventTypeByName(t);
    if (!et || !(lang::Field(*id).events & lang::Bit(*et))) return false;
  }
  return true;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n\r");
  size_t e = s.find_last_not_of(" \t\n\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

std::string ConvertOutput(const std::string& output, const std::vector<std::string>& types,
                          std::vector<std::string>* dropped) {
  // Work token by token (split on spaces) so that a dropped field takes its `key=` with it.
  std::string text = Trim(output);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find_first_of(" \t\n", i);
    if (j == std::string::npos) j = text.size();
    std::string tok = text.substr(i, j - i);
    std::string conv;
    bool drop = false;
    for (size_t k = 0; k < tok.size(); ++k) {
      char c = tok[k];
      if (c == '%' && k + 1 < tok.size() && tok[k + 1] == '%') {
        conv += '%';
        ++k;
      } else if (c == '%' && k + 1 < tok.size() && FieldChar(tok[k + 1])) {
        size_t e = k + 1;
        while (e < tok.size() && FieldChar(tok[e])) ++e;
        while (e > k + 1 && tok[e - 1] == '.') --e;
        std::string f = tok.substr(k + 1, e - k - 1);
        std::string vf = Translator::OutputField(f);
        if (vf.empty() || !Carried(vf, types)) {
          drop = true;
          if (std::find(dropped->begin(), dropped->end(), f) == dropped->end())
            dropped->push_back(f);
        } else {
          conv += "{" + vf + "}";
        }
        k = e - 1;
      } else if (c == '{' || c == '}') {
        conv += std::string(2, c);
      } else {
        conv += c;
      }
    }
    if (!drop && !tok.empty()) {
      if (!out.empty()) out += ' ';
      out += conv;
    }
    i = j;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  }
  return out;
}

std::string SeverityOf(const std::string& priority) {
  std::string p;
  for (char c : priority) p += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const char* kKnown[] = {"emergency", "alert",         "critical", "error", "warning",
                                 "notice",    "informational", "info",     "debug"};
  for (const char* k : kKnown)
    if (p == k) return p;
  return "";
}

std::vector<std::string> MitreOf(const std::vector<std::string>& tags,
                                 std::vector<std::string>* other) {
  static const std::map<std::string, std::string> kTactics = {
      {"reconnaissance", "TA0043"},      {"resource_development", "TA0042"},
      {"initial_access", "TA0001"},      {"execution", "TA0002"},
      {"persistence", "TA0003"},         {"privilege_escalation", "TA0004"},
      {"defense_evasion", "TA0005"},     {"credential_access", "TA0006"},
      {"discovery", "TA0007"},           {"lateral_movement", "TA0008"},
      {"collection", "TA0009"},          {"exfiltration", "TA0010"},
      {"command_and_control", "TA0011"}, {"impact", "TA0040"}};
  std::vector<std::string> ids;
  auto add = [&](const std::string& id) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  };
  for (const auto& t : tags) {
    auto digits = [&](size_t from, size_t n) {
      if (t.size() < from + n) return false;
      for (size_t i = from; i < from + n; ++i)
        if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
      return true;
    };
    bool technique = t.size() >= 5 && t[0] == 'T' && digits(1, 4) &&
                     (t.size() == 5 || (t.size() == 9 && t[5] == '.' && digits(6, 3)));
    bool tactic = t.size() == 6 && t.rfind("TA", 0) == 0 && digits(2, 4);
    if (technique || tactic) {
      add(t);
      continue;
    }
    if (t.rfind("mitre_", 0) == 0) {
      auto it = kTactics.find(t.substr(6));
      if (it != kTactics.end()) add(it->second);
    }
    std::string w;
    for (char c : t)
      w += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '_';
    if (!w.empty() && std::find(other->begin(), other->end(), w) == other->end())
      other->push_back(w);
  }
  return ids;
}

std::string WriteRule(const ConvertedRule& r, std::set<std::string>* approx) {
  const FalcoItem& it = *r.item;
  std::string out = "rule " + r.vigil_name + " {\n";
  std::string desc = Trim(it.desc);
  out += "  desc       " + VglString(desc.empty() ? it.name : desc) + "\n";
  std::string sev = SeverityOf(it.priority);
  if (sev.empty()) {
    approx->insert("the priority '" + it.priority + "' is not a Falco priority: severity medium");
    sev = "medium";
  }
  out += "  severity   " + sev + "\n";
  std::vector<std::string> tags;
  auto mitre = MitreOf(it.tags, &tags);
  if (!mitre.empty()) {
    out += "  mitre      [";
    for (size_t i = 0; i < mitre.size(); ++i) out += (i ? ", " : "") + mitre[i];
    out += "]\n";
  }
  tags.insert(tags.begin(), "falco");
  out += "  tags       [";
  for (size_t i = 0; i < tags.size(); ++i) out += (i ? ", " : "") + tags[i];
  out += "]\n";
  out += "  origin     " + VglString("falco:" + it.name + " (" + it.pos.file + ")") + "\n";
  if (!r.license.empty()) out += "  license    " + VglString(r.license) + "\n";
  out += "  on         ";
  for (size_t i = 0; i < r.event_types.size(); ++i) out += (i ? ", " : "") + r.event_types[i];
  out += "\n";
  if (r.condition.kind != VNode::Kind::kTrue) out += "  when       " + Render(r.condition) + "\n";
  for (const auto& e : r.exceptions) out += "  " + e + "\n";
  if (!it.output.empty()) {
    std::vector<std::string> dropped;
    std::string o = ConvertOutput(it.output, r.event_types, &dropped);
    if (!dropped.empty()) {
      std::string list;
      for (const auto& d : dropped) list += (list.empty() ? "" : ", ") + d;
      approx->insert("output: left out the fields without a vigil counterpart on these events: " +
                     list);
    }
    out += "  output     " + VglString(o) + "\n";
  }
  if (it.enabled && !*it.enabled) out += "  enabled    false\n";
  out += "}\n";
  if (r.tests.alert) {
    out += "\ntest " + r.vigil_name + " {\n";
    out += "  alert " + RenderCase(*r.tests.alert) + "\n";
    if (r.tests.quiet) out += "  quiet " + RenderCase(*r.tests.quiet) + "\n";
    out += "}\n";
  }
  return out;
}

}  // namespace vigil::importer::falco
