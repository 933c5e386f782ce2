// engine/kernel reports failures with the shared Result type (util/result.h).
#pragma once

#include "util/result.h"

namespace vigil::kernel {
using vigil::Error;
using vigil::Ok;
using vigil::OkStatus;
using vigil::Result;
using vigil::Status;
}  // namespace vigil::kernel
