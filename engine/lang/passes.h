// The analysis passes over a Program. Each has one job; Analyze() in pipeline.cpp runs
// them in order, which is the only place the order is written down.
#pragma once

#include "lang/program.h"

namespace vigil::lang {

// 1. Collects declarations across all files: duplicates, overrides, the symbol tables.
void CollectDeclarations(Program& program, Diagnostics& diags);
// 1'. Disables the rules Program::disabled names (by name or tag).
void DisableSelectedRules(Program& program);
// 1a. Applies `append list|macro|rule` to the winning declarations.
void ApplyAppends(Program& program, Diagnostics& diags);
// 1b. Checks each rule's named exceptions and adds them to its condition.
void BuildExceptions(Program& program, Diagnostics& diags);
// 2. Resolves references: lists, macros, bare names, rules and tags named by policies and tests.
void ResolveReferences(Program& program, Diagnostics& diags);
// 3. Expands macros in rule conditions (and in macros), detecting cycles.
void ExpandMacros(Program& program, Diagnostics& diags);
// 3a. Checks correlation and throttle properties; a step's references to earlier steps become
//     joins (ast::StepJoin), taken out of its condition.
void CheckCorrelations(Program& program, Diagnostics& diags);
// 4. Checks types, operators, event types, output templates and test cases.
void CheckTypes(Program& program, Diagnostics& diags);
// 5. Turns policy scopes into kernel-evaluable Scopes and picks each policy's rules.
void CheckPolicies(Program& program, Diagnostics& diags);
// 6. Style and hygiene: unused names, missing tests, MITRE ids, descriptions.
void RunLintChecks(Program& program, Diagnostics& diags);

}  // namespace vigil::lang
