// Ring buffer record -> Event, with an integrity check: a record whose size or contents do not
// fit its declared type is rejected (and counted by the caller), never half-decoded.
#pragma once

#include <cstddef>
#include <string>

#include "kernel/event.h"
#include "util/result.h"

namespace vigil::kernel {

// Decodes into `out` (reused across records: no allocation per call); an error says what is
// malformed.
Status DecodeRecord(const void* data, size_t size, Event* out);

// Parses a raw struct sockaddr (as copied by BPF) into family/address/port.
SockAddr DecodeSockAddr(const uint8_t* data, size_t len);

}  // namespace vigil::kernel
