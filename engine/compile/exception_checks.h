// Lint checks on named exceptions that need compiled matchers.
#pragma once

#include "lang/diagnostics.h"
#include "lang/program.h"

namespace vigil::compile {

// An exception tuple added by `append rule` that matches one of the rule's own `alert` test
// cases silences it: `vigil test` would fail that case. Each such tuple is a V050 finding at
// the tuple, naming the case. Runs on a program the front end and the rule compiler accepted.
void CheckAppendedExceptions(const lang::Program& program, lang::Diagnostics& diags);

}  // namespace vigil::compile
