#include "output/alert_id.h"

#include <sys/random.h>
#include <unistd.h>

#include <chrono>

namespace vigil::output {
namespace {

// SplitMix64's finaliser: a bijection on 64-bit values that spreads every input bit.
uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

AlertIdGenerator AlertIdGenerator::Random() {
  std::array<uint64_t, 2> seed{};
  if (::getrandom(seed.data(), sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) {
    const auto now = std::chrono::system_clock::now().time_since_epoch().count();
    seed = {Mix(static_cast<uint64_t>(now)), Mix(static_cast<uint64_t>(::getpid()) ^ 0x5851f42d)};
  }
  return AlertIdGenerator(seed);
}

AlertIdGenerator AlertIdGenerator::Fixed(uint64_t seed) {
  // Offsets keep a small seed (0) away from Mix's fixed point at 0.
  return AlertIdGenerator({Mix(seed + 0x9e3779b97f4a7c15ULL), Mix(seed + 0x6a09e667f3bcc909ULL)});
}

std::string AlertIdGenerator::Next() {
  const uint64_t n = next_.fetch_add(1, std::memory_order_relaxed);
  // Mix(seed + n) is a bijection of n: distinct sequence numbers give distinct halves.
  uint64_t hi = Mix(seed_[0] + n);
  uint64_t lo = Mix(seed_[1] + n * 0x9e3779b97f4a7c15ULL);
  hi = (hi & ~0xf000ULL) | 0x4000ULL;                         // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  // 8-4-4-4-12 hex digits, written by hand (snprintf cost as much as the rest of an alert's
  // envelope).
  char buf[36];
  auto hex = [&buf](size_t at, uint64_t v, int digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; --i, v >>= 4) buf[at + static_cast<size_t>(i)] = kHex[v & 15];
  };
  hex(0, hi >> 32, 8);
  buf[8] = '-';
  hex(9, hi >> 16, 4);
  buf[13] = '-';
  hex(14, hi, 4);
  buf[18] = '-';
  hex(19, lo >> 48, 4);
  buf[23] = '-';
  hex(24, lo, 12);
  return std::string(buf, sizeof buf);
}

}  // namespace vigil::output
