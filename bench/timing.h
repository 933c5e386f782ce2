// What the user-space benchmarks share for timing a loop: a monotonic clock, seconds between
// two of its points, and Keep() so that the compiler cannot drop a loop whose result is unused.
#pragma once

#include <chrono>

namespace vigil::bench {

using Clock = std::chrono::steady_clock;

inline double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

template <typename T>
void Keep(const T& v) {
  asm volatile("" : : "g"(&v) : "memory");
}

}  // namespace vigil::bench
