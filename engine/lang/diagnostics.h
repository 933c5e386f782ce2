// Findings collected by every pass. Passes never throw on bad input: they add a Diagnostic
// and carry on, so that one run reports every problem in every file.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lang/limits.h"
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
  kUnreadable,             // V044
  kBadOutputTemplate,      // V045
  kRuleNeverFires,         // V046
  kEventNeverMatches,      // V047
  kBadException,           // V048
  kAppendToNothing,        // V049
  kExceptionSilencesTest,  // V050
  kBadCorrelation,         // V051
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

// Findings of one file that were counted but not kept (Diagnostics' per-file limit).
struct NotShown {
  size_t errors = 0;
  size_t warnings = 0;
  size_t notes = 0;
  size_t total() const { return errors + warnings + notes; }
};

class Diagnostics {
 public:
  // Keeps at most `max_per_file` findings per file (0: no limit); later ones are only
  // counted, per file and level (not_shown()), so garbage input cannot flood memory or output.
  explicit Diagnostics(size_t max_per_file = kMaxFindingsPerFile) : max_per_file_(max_per_file) {}
  // Adds a finding at the code's default level and returns it for notes (past the per-file
  // limit, a scratch finding that is dropped, and counted).
  Diagnostic& Add(Code code, SourceLoc loc, std::string message);
  // The findings kept.
  const std::vector<Diagnostic>& all() const { return items_; }
  // Counts include the findings not kept.
  size_t errors() const { return errors_; }
  size_t warnings() const { return warnings_; }
  size_t notes() const { return notes_; }
  // Per file id: findings past the limit, counted but not kept.
  const std::map<uint32_t, NotShown>& not_shown() const { return not_shown_; }
  size_t not_shown_total() const;
  // Moves every finding of `other` into this set (its uncounted ones as counts).
  void Merge(Diagnostics other);
  // Orders findings by file (load order), line, column, then code: stable golden output.
  void Sort();

 private:
  bool Keep(const Diagnostic& d);
  void Count(Level level);

  size_t max_per_file_;
  std::vector<Diagnostic> items_;
  std::vector<size_t> kept_per_file_;
  std::map<uint32_t, NotShown> not_shown_;
  Diagnostic discard_{};
  size_t errors_ = 0;
  size_t warnings_ = 0;
  size_t notes_ = 0;
};

}  // namespace vigil::lang
