// Limits of the front end that keep every pass bounded in stack and memory, whatever the input.
// They are stated in docs/lint.md (V042, V043); a condition within them is far beyond any real
// rule, and input past them is refused with a located finding instead of crashing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigil::lang {

// How deeply expressions may nest: parentheses, `not`, transformer calls, and macros used inside
// macros. The parser checks the token stream before ANTLR sees it (ANTLR's parse is recursive),
// and macro expansion checks the expanded tree, so no recursive pass goes deeper than this.
inline constexpr int kMaxNestingDepth = 200;

// Nodes one condition (a rule's `when`, a macro body) may have after macro expansion: a macro
// used twice is copied twice, so without a limit nested macros grow exponentially.
inline constexpr size_t kMaxExpandedNodes = 10'000;

// Nodes that macro expansion may copy into all conditions together, so that many conditions
// each just under the limit above cannot exhaust memory either.
inline constexpr size_t kMaxTotalExpandedNodes = 2'000'000;

// The longest rule file read (bytes): a longer file, or a stream that does not end (a FIFO,
// /dev/zero), is refused with one finding (V044) instead of filling memory.
inline constexpr size_t kMaxSourceBytes = 64 * 1024 * 1024;

// Findings kept per file by default (`vigil lint --max-findings` changes it): past it they are
// only counted, and the reports say how many were not shown, so garbage input cannot flood
// the output.
inline constexpr size_t kMaxFindingsPerFile = 100;

// Correlation state, per rule, when the rule does not say (`max_keys`, `max_pending`): keys
// (groups) kept at once, and per key the pending partial sequences or held events. Past them
// the least recently used is evicted and counted (docs/language.md, "Bounded state").
inline constexpr int64_t kDefaultCorrelationKeys = 10'000;
inline constexpr int64_t kDefaultCorrelationPending = 16;
// The most a rule may ask for: a count beyond it holds too much per key.
inline constexpr int64_t kMaxCorrelationKeys = 1'000'000;
inline constexpr int64_t kMaxCorrelationPending = 1'000;
inline constexpr int64_t kMaxCorrelationCount = 1'000;
inline constexpr int64_t kMaxCorrelationSteps = 16;

}  // namespace vigil::lang
