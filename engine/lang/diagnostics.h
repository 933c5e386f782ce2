// Findings collected by every pass. Passes never throw on bad input: they add a Diagnostic
// and carry on, so that one run reports every problem in every file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lang/source.h"

namespace vigil::lang {

enum class Level { kNote, kWarning, kError };

// Every finding has a stable code. The table (code, level, title, docs) is in
// diagnostics.cpp and drives docs/lint.md and the SARIF rule list.
enum class Code {
  kSyntax = 1,             // V001
  kUnknownField,           // V002
  kUnknownList,            // V003
  kUnknownName,            // V004
  kUnknownRule,            // V005
  kUnknownTag,             // V006
  kDuplicateName,          // V007
  kOverrideOfNothing,      // V008
  kMacroCycle,             // V009
  kTypeMismatch,           // V010
  kOperatorNotForType,     // V011
  kFieldNotOnEvents,       // V012
  kRuleWithoutOn,          // V013
  kRuleOnEveryEvent,       // V014
  kBadRegex,               // V015
  kBadGlob,                // V016
  kBadCidr,                // V017
  kOutputUnknownField,     // V018
  kScopeNotKernel,         // V019
  kTooManyPolicies,        // V020
  kPolicySelectsNothing,   // V021
  kUnusedList,             // V022
  kUnusedMacro,            // V023
  kRuleWithoutTest,        // V024
  kBadMitre,               // V025
  kBadString,              // V026
  kUnknownEventType,       // V027
  kBadProperty,            // V028
  kBadEnumValue,           // V029
  kBadTestCase,            // V030
  kRuleWithoutDesc,        // V031
  kUnknownFlag,            // V032
  kMisplaced,              // V033
  kUnknownFunction,        // V034
  kMixedList,              // V035
  kOverrideApplied,        // V036
  kScopeValueLimit,        // V037
  kTooManyFollow,          // V038
  kTooManyRanges,          // V039
  kEmptyRange,             // V040
  kEventNeedsGlobalScope,  // V041
  kNestingTooDeep,         // V042
  kExpansionTooLarge,      // V043
};

struct CodeInfo {
  Code code;
  const char* id;     // "V001"
  const char* name;   // "syntax-error"
  Level level;        // default level
  const char* title;  // one line
};

const std::vector<CodeInfo>& AllCodes();
const CodeInfo& InfoFor(Code code);

struct Diagnostic {
  Code code;
  Level level;
  SourceLoc loc;
  std::string message;
  std::vector<std::string> notes;  // extra lines: "note: ..." (where a macro came from, etc.)
  const char* id() const { return InfoFor(code).id; }
};

class Diagnostics {
 public:
  // Adds a finding at the code's default level and returns it for notes.
  Diagnostic& Add(Code code, SourceLoc loc, std::string message);
  const std::vector<Diagnostic>& all() const { return items_; }
  size_t errors() const;
  size_t warnings() const;
  size_t notes() const;
  // Moves every finding of `other` into this set.
  void Merge(Diagnostics other);
  // Orders findings by file (load order), line, column, then code: stable golden output.
  void Sort();

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace vigil::lang
