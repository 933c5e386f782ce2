// Reading Falco rules files: the YAML items (rule, macro, list) with their positions, checked
// for shape and types. Everything else in the file (required_engine_version, ...) is skipped.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace vigil::importer::falco {

struct Position {
  std::string file;
  int line = 0;              // 1-based
  int col = 0;               // 1-based
  std::string Text() const;  // "file:line:col"
};

struct FalcoException {
  std::string name;
  std::vector<std::string> fields;
  std::vector<std::string> comps;                             // one per field ("=" when absent)
  std::vector<std::vector<std::vector<std::string>>> values;  // tuples; each value is 1+ items
  Position pos;
};

struct FalcoItem {
  enum class Kind { kRule, kMacro, kList } kind = Kind::kRule;
  std::string name;
  Position pos;
  std::string condition;
  Position condition_pos;
  std::vector<std::string> items;  // a list's items
  std::string desc, output, priority;
  std::vector<std::string> tags;
  std::optional<bool> enabled;
  bool append = false;                           // `append: true`
  std::map<std::string, std::string> overrides;  // `override: {key: append|replace}`
  std::vector<FalcoException> exceptions;
  std::vector<std::string> keys;  // keys given, in order
  bool Has(const std::string& key) const;
};

// The items of one rules file; an error (file:line:col: message) for malformed YAML, an item of
// the wrong shape or a value of the wrong type.
Result<std::vector<FalcoItem>> ReadFalcoFile(const std::string& path);
Result<std::vector<FalcoItem>> ParseFalcoText(const std::string& text, const std::string& file);

}  // namespace vigil::importer::falco
