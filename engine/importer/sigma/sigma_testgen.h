// Test cases for an imported rule: events that must alert, built from its selections (each
// alternative of the condition), and events that must stay quiet, built from its filters (each
// negated part made true) plus one unrelated event. Every case is checked against the condition
// with vigil's semantics (sigma_expr.h) before it is kept.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "importer/sigma/sigma_expr.h"

namespace vigil::importer::sigma {

struct TestCases {
  std::vector<Event> alert;
  std::vector<Event> quiet;
};

// An event on which `e` is true, if the search (bounded) finds one.
std::optional<Event> Satisfy(const Expr& e);

TestCases GenerateTests(const Expr& condition, size_t max_cases = 6);

// A string that RE2 `pattern` matches, if the generator can make one (checked with RE2).
std::optional<std::string> RegexSample(const std::string& pattern);

// `{ field: value, ... }` in vigil's test syntax.
std::string RenderEvent(const Event& event);

}  // namespace vigil::importer::sigma
