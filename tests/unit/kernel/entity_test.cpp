// The shared entity hash (bpf/entity.h) computed from a start time in nanoseconds equals the one
// computed from /proc/self/stat's clock ticks, and path hashing matches its definition.
#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "bpf/entity.h"
#include "compile/kernel_plan.h"

namespace {

uint64_t SelfStartTicks() {
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) rest >> field;
  return std::stoull(field);
}

TEST(Entity, NanosecondStartTruncatesToTheProcfsTick) {
  const uint64_t ticks = SelfStartTicks();
  ASSERT_GT(ticks, 0u);
  // Any nanosecond start time inside the same tick gives the same entity.
  const uint64_t start_ns = ticks * VIGIL_NSEC_PER_TICK;
  EXPECT_EQ(vigil_entity(getpid(), start_ns), vigil_entity_from_ticks(getpid(), ticks));
  EXPECT_EQ(vigil_entity(getpid(), start_ns + VIGIL_NSEC_PER_TICK - 1),
            vigil_entity_from_ticks(getpid(), ticks));
  EXPECT_NE(vigil_entity(getpid(), start_ns + VIGIL_NSEC_PER_TICK),
            vigil_entity_from_ticks(getpid(), ticks));
  EXPECT_NE(vigil_entity(getpid() + 1, start_ns), vigil_entity(getpid(), start_ns));
}

TEST(Entity, ProcessStartedBeforeNow) {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  const uint64_t now_ticks = static_cast<uint64_t>(ts.tv_sec) * VIGIL_USER_HZ +
                             static_cast<uint64_t>(ts.tv_nsec) / VIGIL_NSEC_PER_TICK;
  EXPECT_LE(SelfStartTicks(), now_ticks);  // procfs start times are boottime ticks
}

TEST(PathHash, WordsLengthAndPadding) {
  using vigil::compile::PathHash;
  uint64_t h = VIGIL_PATH_HASH_SEED;
  uint64_t w1 = 0, w2 = 0;
  std::memcpy(&w1, "/usr/bin", 8);
  std::memcpy(&w2, "/x", 2);
  h = vigil_path_hash_step(h, w1);
  h = vigil_path_hash_step(h, w2);
  EXPECT_EQ(PathHash("/usr/bin/x"), vigil_path_hash_finish(h, 10));
  EXPECT_NE(PathHash("/usr/bin/x"), PathHash("/usr/bin/y"));
  EXPECT_NE(PathHash("/a"), PathHash(std::string("/a\0", 3)));  // length is part of the hash
}

}  // namespace
