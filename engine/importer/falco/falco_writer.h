// Writing one converted Falco rule as .vgl: properties (provenance, severity from the priority,
// MITRE ids from tags, output template), exceptions and its derived test block.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "importer/falco/falco_testgen.h"
#include "importer/falco/falco_yaml.h"
#include "importer/falco/vigil_condition.h"

namespace vigil::importer::falco {

struct ConvertedRule {
  const FalcoItem* item = nullptr;
  std::string vigil_name;
  std::vector<std::string> event_types;
  VNode condition;                      // rendered as `when`
  std::vector<std::string> exceptions;  // `exception ...` lines
  std::string license;                  // from the file's SPDX header; may be empty
  DerivedTests tests;
};

// Falco's output template with %field as {field}; Falco fields without a vigil counterpart
// carried by all `event_types` are left out with their `key=` (named in `dropped`).
std::string ConvertOutput(const std::string& output, const std::vector<std::string>& event_types,
                          std::vector<std::string>* dropped);

// `severity` value for a Falco priority; empty when the priority is unknown.
std::string SeverityOf(const std::string& priority);

// MITRE ATT&CK ids from Falco tags: T1059, T1059.004, TA0003 as they are, mitre_<tactic> as the
// tactic's id. The other tags, as vigil tag words, go to `tags`.
std::vector<std::string> MitreOf(const std::vector<std::string>& tags,
                                 std::vector<std::string>* other_tags);

std::string WriteRule(const ConvertedRule& r, std::set<std::string>* approximations);

}  // namespace vigil::importer::falco
