// What `vigil import` did with each foreign rule: converted exactly, converted with stated
// approximations, or not converted (and why). Never a silent drop: every rule read is one entry.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vigil::importer {

enum class Conversion { kExact, kApproximate, kNotConverted };

const char* ConversionName(Conversion c);  // "exact", "approximate", "not_converted"

struct RuleReport {
  std::string file;        // the source file, as given on the command line or found under it
  std::string id;          // Sigma's `id`, Falco's rule name
  std::string title;       // Sigma's `title`, Falco's rule name
  std::string vigil_rule;  // the rule written, empty when not converted
  Conversion conversion = Conversion::kExact;
  std::vector<std::string> approximations;  // kApproximate: each one stated
  std::string reason;                       // kNotConverted: why
};

struct ImportReport {
  std::string format;  // "sigma" or "falco"
  std::vector<RuleReport> rules;
  std::vector<std::string> notes;  // what happened to the rest (lists, macros dropped, counted)

  size_t Count(Conversion c) const;
};

// One line per rule, then the totals and the conversion rate.
std::string RenderReportText(const ImportReport& report);
// {"format", "summary": {"total", "exact", "approximate", "not_converted"}, "rules": [...],
//  "notes": [...]}.
nlohmann::json RenderReportJson(const ImportReport& report);

}  // namespace vigil::importer
