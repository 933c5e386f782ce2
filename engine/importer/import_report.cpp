#include "importer/import_report.h"

#include <algorithm>
#include <cstdio>

namespace vigil::importer {

const char* ConversionName(Conversion c) {
  switch (c) {
    case Conversion::kExact:
      return "exact";
    case Conversion::kApproximate:
      return "approximate";
    case Conversion::kNotConverted:
      return "not_converted";
  }
  return "?";
}

size_t ImportReport::Count(Conversion c) const {
  return static_cast<size_t>(std::count_if(rules.begin(), rules.end(),
                                           [c](const RuleReport& r) { return r.conversion == c; }));
}

std::string RenderReportText(const ImportReport& report) {
  std::string out;
  for (const auto& r : report.rules) {
    out += ConversionName(r.conversion);
    out.append(std::string(14 - std::string(ConversionName(r.conversion)).size(), ' '));
    out += r.file + ": " + (r.title.empty() ? r.id : r.title);
    if (!r.vigil_rule.empty()) out += " -> " + r.vigil_rule;
    out += "\n";
    for (const auto& a : r.approximations) out += "    approximation: " + a + "\n";
    if (!r.reason.empty()) out += "    not converted: " + r.reason + "\n";
  }
  for (const auto& n : report.notes) out += "note: " + n + "\n";
  size_t total = report.rules.size();
  size_t converted = report.Count(Conversion::kExact) + report.Count(Conversion::kApproximate);
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.1f%%", total ? 100.0 * converted / total : 0.0);
  out += report.format + ": " + std::to_string(total) + " rules read, " +
         std::to_string(report.Count(Conversion::kExact)) + " exact, " +
         std::to_string(report.Count(Conversion::kApproximate)) + " with approximations, " +
         std::to_string(report.Count(Conversion::kNotConverted)) + " not converted (" + rate +
         " converted)\n";
  return out;
}

nlohmann::json RenderReportJson(const ImportReport& report) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : report.rules) {
    nlohmann::json j{{"file", r.file},
                     {"id", r.id},
                     {"title", r.title},
                     {"conversion", ConversionName(r.conversion)},
                     {"approximations", r.approximations}};
    if (!r.vigil_rule.empty()) j["vigil_rule"] = r.vigil_rule;
    if (!r.reason.empty()) j["reason"] = r.reason;
    rules.push_back(std::move(j));
  }
  return {{"format", report.format},
          {"summary",
           {{"total", report.rules.size()},
            {"exact", report.Count(Conversion::kExact)},
            {"approximate", report.Count(Conversion::kApproximate)},
            {"not_converted", report.Count(Conversion::kNotConverted)}}},
          {"rules", std::move(rules)},
          {"notes", report.notes}};
}

}  // namespace vigil::importer
