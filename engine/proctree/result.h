// engine/proctree reports failures with the shared Result type (util/result.h).
#pragma once

#include "util/result.h"

namespace vigil::proctree {
using vigil::Error;
using vigil::Result;
}  // namespace vigil::proctree
