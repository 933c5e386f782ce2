// Which event types can satisfy a condition. A test that reads a field an event type does
// not carry is false for that type (and its negation true), and a test of evt.type against
// names is decided per type: the same rules the rule compiler uses when it specialises a
// matcher per event type (compile/rule_compiler.cpp, Specialize), applied to the AST so
// that lint can say which types in `on` can never match, and why.
#pragma once

#include <string>
#include <vector>

#include "lang/ast.h"
#include "lang/events.h"

namespace vigil::lang {

struct NeverMatch {
  EventType type;
  std::string reason;  // "it reads file.path, which exec events do not carry"
};

// The event types in `events` for which `when` is false whatever the event's values, each
// with the first reason found. Expects a type-checked condition (fields resolved).
std::vector<NeverMatch> EventTypesNeverMatching(const ast::Expr& when, EventMask events);

}  // namespace vigil::lang
