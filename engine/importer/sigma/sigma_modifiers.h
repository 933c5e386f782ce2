// One Sigma detection entry, `Field|mod|mod: value(s)`, to a condition on a vigil field: value
// modifiers (contains, startswith, endswith, all, re with i/m/s, cidr, windash, base64,
// base64offset, utf16le/utf16be/utf16/wide, exists, cased, gt/gte/lt/lte), Sigma's wildcards
// (* and ?, \ escapes) and its default case-insensitive matching.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "importer/sigma/sigma_expr.h"
#include "importer/sigma/sigma_field_map.h"
#include "util/result.h"

namespace vigil::importer::sigma {

// A value as written; nullopt for YAML null (the field must be absent).
using SigmaValue = std::optional<std::string>;

// The condition for `mapping` with `modifiers` against `values` (several values: any of them,
// or all of them with `all`). An error names what cannot be converted (an unsupported modifier,
// a value of the wrong type, a regex RE2 refuses). Approximations made are appended.
Result<Expr> FieldCondition(const FieldMapping& mapping, const std::vector<std::string>& modifiers,
                            const std::vector<SigmaValue>& values,
                            std::vector<std::string>& approximations);

// Sigma's string value with wildcards: whether it has any (unescaped * or ?), the literal text
// when it has none, and a vigil glob pattern.
struct WildcardValue {
  bool has_wildcards = false;
  std::string literal;  // escapes resolved (\* -> *), when !has_wildcards
  std::string glob;     // vigil glob: * and ? kept, literal *, ?, [, ], \ escaped
};
WildcardValue ParseWildcards(const std::string& value);

// The encodings, exposed for tests.
std::string Base64(const std::string& bytes);
std::vector<std::string> Base64Offsets(const std::string& bytes);
std::vector<std::string> WindashVariants(const std::string& value);

}  // namespace vigil::importer::sigma
