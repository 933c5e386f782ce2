// Ring buffer record -> Event, with an integrity check: a record whose size or contents do not
// fit its declared type is rejected (and counted by the caller), never half-decoded.
#pragma once

#include <cstddef>
#include <string>

#include "kernel/event.h"

namespace vigil::kernel {

// Returns false and sets *error when the record is malformed.
bool DecodeRecord(const void* data, size_t size, Event* out, std::string* error);

// Parses a raw struct sockaddr (as copied by BPF) into family/address/port.
SockAddr DecodeSockAddr(const uint8_t* data, size_t len);

}  // namespace vigil::kernel
