// Reading Sigma files: the YAML files named or found under folders, each parsed into its
// documents, with a precise error (file:line:col) for what is not YAML or too large.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "util/result.h"

namespace vigil::importer::sigma {

// Files larger than this are refused (a rule file is a few KiB).
inline constexpr size_t kMaxSigmaFileBytes = 4 << 20;

// The files named, and the *.yml / *.yaml files under the folders named (recursively, sorted).
// An error for a path that does not exist.
Result<std::vector<std::string>> FindRuleFiles(const std::vector<std::string>& inputs);

// Every YAML document of `text` (the contents of `file`); an error with file:line:col.
Result<std::vector<YAML::Node>> ParseDocuments(const std::string& text, const std::string& file);

// The file read and parsed: an error when it cannot be read, is too large, or is not YAML.
Result<std::vector<YAML::Node>> LoadDocuments(const std::string& file);

}  // namespace vigil::importer::sigma
