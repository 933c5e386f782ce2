// Falco's condition language: a lexer and parser to a small tree (and, or, not, comparisons,
// macro references). Errors carry the offset in the condition text.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "util/result.h"

namespace vigil::importer::falco {

struct FValue {
  std::string text;
  bool quoted = false;
};

struct FNode {
  enum class Kind { kAnd, kOr, kNot, kCmp, kMacro } kind = Kind::kCmp;
  std::vector<FNode> kids;
  std::string name;  // kCmp: the field (proc.aname[2]); kMacro: the macro
  std::string op;    // kCmp: =, !=, <, <=, >, >=, in, intersects, pmatch, startswith, endswith,
                     // contains, icontains, bcontains, glob, iglob, regex, exists
  std::vector<FValue> values;
  bool list = false;  // the right side was a parenthesised list
  size_t offset = 0;  // in the condition text
};

struct ConditionError {
  size_t offset = 0;
  std::string message;
};

Result<FNode, ConditionError> ParseCondition(const std::string& text);

}  // namespace vigil::importer::falco
