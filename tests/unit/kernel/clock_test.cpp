// The clock decision comes from the probe's return value alone (FIELD-LESSONS 2): a stale errno
// left by something unrelated must not change it.
#include <gtest/gtest.h>

#include <cerrno>

#include "kernel/clock.h"

namespace vigil::kernel {
namespace {

TEST(ClockDecision, SupportedDespiteStaleErrno) {
  errno = ENOENT;  // as left by a failed open of /proc/version_signature
  auto d = ProbeClock([] {
    errno = ENOENT;
    return 1;
  });
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->source, ClockSource::kBoottime);
  EXPECT_NE(d->reason.find("returned 1"), std::string::npos);
}

TEST(ClockDecision, UnsupportedMeansMonotonicEvenWithZeroErrno) {
  errno = 0;
  auto d = ProbeClock([] { return 0; });
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->source, ClockSource::kMonotonic);
}

TEST(ClockDecision, ProbeFailureIsAnErrorNotUnsupported) {
  errno = 0;
  auto d = ProbeClock([] { return -EPERM; });
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().find("cannot probe"), std::string::npos);
}

TEST(ClockDecision, ClocksAreDistinct) {
  EXPECT_STREQ(ClockName(ClockSource::kBoottime), "boottime");
  EXPECT_STREQ(ClockName(ClockSource::kMonotonic), "monotonic");
  // Monotonic first: boottime is monotonic plus the time suspended, so a boottime read after
  // it is never smaller (read the other way round, a slow run, as under ASan, fails).
  const uint64_t monotonic = ClockNowNs(ClockSource::kMonotonic);
  EXPECT_GE(ClockNowNs(ClockSource::kBoottime), monotonic);
}

}  // namespace
}  // namespace vigil::kernel
