// Deriving `test` cases for a converted rule: an alert case from the condition's positive terms
// (one way through its or-branches, values built to meet each test), and a quiet case from the
// alert case with one field removed or changed so that the condition no longer holds. Every case
// is checked against the condition with vigil's own semantics (vigil_condition.h) before it is
// written.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "importer/falco/vigil_condition.h"

namespace vigil::importer::falco {

struct TestCase {
  std::string event_type;
  TEvent fields;  // what the case gives
};

struct DerivedTests {
  std::optional<TestCase> alert;
  std::optional<TestCase> quiet;
};

DerivedTests DeriveTests(const VNode& condition, const std::vector<std::string>& event_types);

// `open { file.path: "/etc/shadow", open.read: true }`
std::string RenderCase(const TestCase& c);

}  // namespace vigil::importer::falco
