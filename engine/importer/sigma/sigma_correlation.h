// Sigma correlation rules to vigil correlations (docs/language.md, "Correlation"):
// event_count -> `count N within T by ...`, value_count -> `count N distinct F ...`,
// temporal_ordered -> steps in order, temporal -> `steps any_order`.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>

#include "importer/sigma/sigma_rule.h"
#include "util/result.h"

namespace vigil::importer::sigma {

// Whether the document is a correlation rule (it has a `correlation` mapping).
bool IsCorrelation(const YAML::Node& doc);

// The correlation as a vigil rule named `vgl_name`, with its test. `rules` holds the converted
// base rules by Sigma id and by name. An error says why it cannot be converted.
Result<std::string> WriteCorrelation(const YAML::Node& doc, const std::string& file,
                                     const std::map<std::string, const SigmaRule*>& rules,
                                     const std::string& vgl_name, SigmaRule& meta);

}  // namespace vigil::importer::sigma
