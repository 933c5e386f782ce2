// Running every language pass over in-memory files, for the language's unit tests.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "lang/pipeline.h"

namespace vigil::lang::test_support {

struct Analyzed {
  Program program;
  Diagnostics diags;
  // The codes of all findings (V0nn), in order.
  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const auto& d : diags.all()) out.push_back(d.id());
    return out;
  }
  bool has(const std::string& code) const {
    auto c = codes();
    return std::find(c.begin(), c.end(), code) != c.end();
  }
  const Diagnostic* first(const std::string& code) const {
    for (const auto& d : diags.all())
      if (d.id() == code) return &d;
    return nullptr;
  }
  size_t errors() const { return diags.errors(); }
};

// `texts` as files f0.vgl, f1.vgl, ..., analysed with the rules in `disabled` turned off.
inline std::unique_ptr<Analyzed> AnalyzeText(const std::vector<std::string>& texts,
                                             RuleSelection disabled = {}) {
  auto a = std::make_unique<Analyzed>();
  for (size_t i = 0; i < texts.size(); ++i)
    a->program.sources.Add("f" + std::to_string(i) + ".vgl", texts[i]);
  a->program.disabled = std::move(disabled);
  Analyze(a->program, a->diags);
  return a;
}

}  // namespace vigil::lang::test_support
