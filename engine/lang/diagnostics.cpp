#include "lang/diagnostics.h"

#include <algorithm>
#include <tuple>

namespace vigil::lang {

const std::vector<CodeInfo>& AllCodes() {
  using enum Code;
  static const std::vector<CodeInfo> kCodes = {
      {kSyntax, "V001", "syntax-error", Level::kError, "The file does not parse"},
      {kUnknownField, "V002", "unknown-field", Level::kError, "Unknown field"},
      {kUnknownList, "V003", "unknown-list", Level::kError,
       "Reference to a list that does not exist"},
      {kUnknownName, "V004", "unknown-name", Level::kError,
       "A bare name that is neither a macro nor a boolean field"},
      {kUnknownRule, "V005", "unknown-rule", Level::kError,
       "Reference to a rule that does not exist"},
      {kUnknownTag, "V006", "unknown-tag", Level::kError, "A tag selector that matches no rule"},
      {kDuplicateName, "V007", "duplicate-name", Level::kError,
       "Two declarations share a name without `override`"},
      {kOverrideOfNothing, "V008", "override-of-nothing", Level::kError,
       "`override` of a name that was never declared"},
      {kMacroCycle, "V009", "macro-cycle", Level::kError,
       "Macros (or lists) that expand into each other"},
      {kTypeMismatch, "V010", "type-mismatch", Level::kError,
       "Comparing values of different types"},
      {kOperatorNotForType, "V011", "operator-not-for-type", Level::kError,
       "An operator the field's type does not support"},
      {kFieldNotOnEvents, "V012", "field-not-on-events", Level::kError,
       "A field no event in the rule's `on` carries"},
      {kRuleWithoutOn, "V013", "rule-without-on", Level::kError, "A rule without `on`"},
      {kRuleOnEveryEvent, "V014", "rule-on-every-event", Level::kWarning,
       "A rule whose `on` selects every event type"},
      {kBadRegex, "V015", "invalid-regex", Level::kError, "A regular expression RE2 rejects"},
      {kBadGlob, "V016", "invalid-glob", Level::kError, "A malformed glob pattern"},
      {kBadCidr, "V017", "invalid-cidr", Level::kError, "A malformed CIDR block"},
      {kOutputUnknownField, "V018", "output-unknown-field", Level::kError,
       "An output template names an unknown field"},
      {kScopeNotKernel, "V019", "scope-not-kernel", Level::kError,
       "A policy scope the kernel cannot evaluate"},
      {kTooManyPolicies, "V020", "too-many-policies", Level::kError,
       "More than 64 policies loaded together"},
      {kPolicySelectsNothing, "V021", "policy-selects-nothing", Level::kWarning,
       "A policy that selects no enabled rule"},
      {kUnusedList, "V022", "unused-list", Level::kWarning, "A list nothing refers to"},
      {kUnusedMacro, "V023", "unused-macro", Level::kWarning, "A macro nothing refers to"},
      {kRuleWithoutTest, "V024", "rule-without-test", Level::kWarning, "A rule with no test"},
      {kBadMitre, "V025", "invalid-mitre-id", Level::kError, "A malformed MITRE ATT&CK id"},
      {kBadString, "V026", "invalid-string", Level::kError,
       "An invalid escape in a string, or a file that is not UTF-8"},
      {kUnknownEventType, "V027", "unknown-event-type", Level::kError, "Unknown event type"},
      {kBadProperty, "V028", "invalid-property", Level::kError,
       "Unknown, repeated or ill-typed property in a rule or policy"},
      {kBadEnumValue, "V029", "invalid-value", Level::kError,
       "A severity or action that does not exist"},
      {kBadTestCase, "V030", "invalid-test", Level::kError,
       "A test case that cannot run as written"},
      {kRuleWithoutDesc, "V031", "rule-without-desc", Level::kWarning,
       "A rule without a description or severity"},
      {kUnknownFlag, "V032", "unknown-flag", Level::kError, "A flag name the field does not know"},
      {kMisplaced, "V033", "misplaced-construct", Level::kError,
       "A construct used where it has no meaning"},
      {kUnknownFunction, "V034", "unknown-function", Level::kError,
       "Unknown transformer, or wrong arguments to one"},
      {kMixedList, "V035", "mixed-list", Level::kError, "A list whose items have different types"},
      {kOverrideApplied, "V036", "override-applied", Level::kNote,
       "Which declaration an `override` replaced"},
      {kScopeValueLimit, "V037", "scope-value-limit", Level::kError,
       "A scope value the kernel cannot hold (length, relative path, range on an exact filter)"},
      {kTooManyFollow, "V038", "too-many-follow", Level::kError,
       "More scope filters with `follow` than the kernel has lanes"},
      {kTooManyRanges, "V039", "too-many-ranges", Level::kError,
       "More numeric ranges in one scope filter than the kernel holds"},
      {kEmptyRange, "V040", "empty-range", Level::kError, "Scope bounds that leave no value"},
      {kEventNeedsGlobalScope, "V041", "event-needs-global-scope", Level::kError,
       "A scoped policy selects an event type only a global scope can select"},
      {kNestingTooDeep, "V042", "nesting-too-deep", Level::kError,
       "An expression or a chain of macros nested deeper than the front end allows"},
      {kExpansionTooLarge, "V043", "expansion-too-large", Level::kError,
       "A condition that grows past the size limit when its macros are expanded"},
      {kUnreadable, "V044", "unreadable-input", Level::kError,
       "A path that cannot be read as rules (missing, unreadable, not text, too large)"},
      {kBadOutputTemplate, "V045", "invalid-output-template", Level::kError,
       "An output template with an unbalanced brace or a Falco-style %field"},
      {kRuleNeverFires, "V046", "rule-never-fires", Level::kError,
       "No event type the rule watches can satisfy its condition"},
      {kEventNeverMatches, "V047", "event-never-matches", Level::kWarning,
       "An event type in `on` that can never satisfy the rule's condition"},
      {kBadException, "V048", "invalid-exception", Level::kError,
       "A named exception whose tuples, fields or operators do not fit together"},
      {kAppendToNothing, "V049", "append-to-nothing", Level::kError,
       "`append` to a list, macro or rule that is not loaded"},
      {kExceptionSilencesTest, "V050", "exception-silences-test", Level::kWarning,
       "An appended exception silences one of the rule's own `alert` test cases"},
      {kBadCorrelation, "V051", "invalid-correlation", Level::kError,
       "A correlation or throttle whose count, window, key, steps or step references do not "
       "fit together"},
  };
  return kCodes;
}

const CodeInfo& InfoFor(Code code) {
  return AllCodes().at(static_cast<size_t>(code) - 1);
}

void Diagnostics::Count(Level level) {
  switch (level) {
    case Level::kError:
      ++errors_;
      break;
    case Level::kWarning:
      ++warnings_;
      break;
    case Level::kNote:
      ++notes_;
      break;
  }
}

bool Diagnostics::Keep(const Diagnostic& d) {
  Count(d.level);
  uint32_t file = d.loc.file;
  if (kept_per_file_.size() <= file) kept_per_file_.resize(file + 1, 0);
  if (max_per_file_ == 0 || kept_per_file_[file] < max_per_file_) {
    ++kept_per_file_[file];
    return true;
  }
  NotShown& n = not_shown_[file];
  (d.level == Level::kError ? n.errors : d.level == Level::kWarning ? n.warnings : n.notes)++;
  return false;
}

Diagnostic& Diagnostics::Add(Code code, SourceLoc loc, std::string message) {
  Diagnostic d{code, InfoFor(code).level, loc, std::move(message), {}};
  if (!Keep(d)) {
    discard_ = std::move(d);
    return discard_;
  }
  items_.push_back(std::move(d));
  return items_.back();
}

void Diagnostics::Merge(Diagnostics other) {
  for (auto& d : other.items_)
    if (Keep(d)) items_.push_back(std::move(d));
  for (const auto& [file, n] : other.not_shown_) {
    NotShown& mine = not_shown_[file];
    mine.errors += n.errors;
    mine.warnings += n.warnings;
    mine.notes += n.notes;
    errors_ += n.errors;
    warnings_ += n.warnings;
    notes_ += n.notes;
  }
}

size_t Diagnostics::not_shown_total() const {
  size_t total = 0;
  for (const auto& [file, n] : not_shown_) total += n.total();
  return total;
}

void Diagnostics::Sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tuple(a.loc.file, a.loc.line, a.loc.column, static_cast<int>(a.code)) <
           std::tuple(b.loc.file, b.loc.line, b.loc.column, static_cast<int>(b.code));
  });
}

}  // namespace vigil::lang
