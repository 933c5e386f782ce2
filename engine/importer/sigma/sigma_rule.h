// One Sigma rule (a YAML document) to the parts of a vigil rule: metadata, the event types it
// watches and its condition over vigil fields, with every approximation stated.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "importer/sigma/sigma_expr.h"
#include "importer/sigma/sigma_field_map.h"
#include "util/result.h"

namespace vigil::importer::sigma {

struct SigmaRule {
  std::string file;
  std::string id;
  std::string name;  // Sigma's optional `name` (what correlation rules refer to)
  std::string title;
  std::string description;
  std::string author;
  std::string level;  // informational, low, medium, high, critical
  std::vector<std::string> references;
  std::vector<std::string> tags;
  LogSource source = LogSource::kOther;
  std::vector<std::string> event_types;  // vigil event types, in vocabulary order
  Expr condition;                        // over vigil fields (evt.type when types differ)
  std::vector<std::string> approximations;
};

// "FILE:LINE:COL" of a YAML node (1-based), or FILE when the node has no position.
std::string NodePosition(const std::string& file, const YAML::Node& node);

// The metadata of a document (title, id, ...): errors for wrong types.
Result<SigmaRule> ReadMetadata(const YAML::Node& doc, const std::string& file);

// The whole rule: an error says why it cannot be converted (a missing field, an unsupported
// modifier, a log source without a sensor, malformed detection with its position).
Result<SigmaRule> ConvertRule(const YAML::Node& doc, const std::string& file);

// The condition of one detection item (a selection) of a rule of log source `source`.
Result<Expr> SelectionCondition(const YAML::Node& item, LogSource source, const std::string& file,
                                std::vector<std::string>& approximations);

}  // namespace vigil::importer::sigma
