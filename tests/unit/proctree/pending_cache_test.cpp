#include "proctree/pending_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

namespace vigil::proctree {
namespace {

struct Emitted {
  int id;
  bool complete;
};

class PendingCacheTest : public ::testing::Test {
 protected:
  PendingCache<int> Make(PendingOptions options) {
    return PendingCache<int>(
        options, [this] { return now_; },
        [this](int& id) {
          ++resolver_calls_;
          if (never_.count(id)) return Resolution::kIncomplete;
          return known_.count(id) > 0 ? Resolution::kComplete : Resolution::kWait;
        },
        [this](int&& id, bool complete) {
          out_.push_back({id, complete});
        });
  }
  uint64_t now_ = 1000;
  std::unordered_set<int> known_;
  std::unordered_set<int> never_;
  std::vector<Emitted> out_;
  int resolver_calls_ = 0;
};

TEST_F(PendingCacheTest, RetriesOnlyWhenDue) {
  auto cache = Make({.capacity = 10, .max_attempts = 3, .retry_interval_ns = 100});
  cache.Add(1);
  EXPECT_EQ(cache.Poll(), 0u);
  EXPECT_EQ(resolver_calls_, 0);
  now_ += 99;
  cache.Poll();
  EXPECT_EQ(resolver_calls_, 0);
  now_ += 1;
  cache.Poll();
  EXPECT_EQ(resolver_calls_, 1);
  EXPECT_TRUE(out_.empty());
  EXPECT_EQ(cache.size(), 1u);
}

TEST_F(PendingCacheTest, ResolvedOnALaterAttemptGoesOutComplete) {
  auto cache = Make({.capacity = 10, .max_attempts = 5, .retry_interval_ns = 100});
  cache.Add(7);
  now_ += 100;
  cache.Poll();
  known_.insert(7);  // the fork (or the pod's config.json) arrived meanwhile
  now_ += 100;
  EXPECT_EQ(cache.Poll(), 1u);
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].id, 7);
  EXPECT_TRUE(out_[0].complete);
  EXPECT_EQ(cache.stats().resolved, 1u);
  EXPECT_EQ(cache.stats().retries, 2u);
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(PendingCacheTest, AtTheBoundGoesOutIncompleteAndIsCounted) {
  auto cache = Make({.capacity = 10, .max_attempts = 3, .retry_interval_ns = 100});
  cache.Add(1);
  for (int i = 0; i < 2; ++i) {
    now_ += 100;
    cache.Poll();
    EXPECT_TRUE(out_.empty());
  }
  now_ += 100;
  cache.Poll();
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_FALSE(out_[0].complete);
  EXPECT_EQ(cache.stats().expired, 1u);
  EXPECT_EQ(resolver_calls_, 3);
  now_ += 1000;
  cache.Poll();
  EXPECT_EQ(out_.size(), 1u);  // emitted exactly once
}

TEST_F(PendingCacheTest, ResolverGivingUpEmitsIncompleteAtOnce) {
  auto cache = Make({.capacity = 10, .max_attempts = 5, .retry_interval_ns = 100});
  cache.Add(4);
  cache.Add(5);
  never_.insert(4);
  now_ += 100;
  cache.Poll();
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].id, 4);
  EXPECT_FALSE(out_[0].complete);
  EXPECT_EQ(cache.stats().gave_up, 1u);
  EXPECT_EQ(cache.stats().expired, 0u);
  EXPECT_EQ(cache.size(), 1u);
}

TEST_F(PendingCacheTest, FullCacheEmitsTheOldestIncomplete) {
  auto cache = Make({.capacity = 2, .max_attempts = 3, .retry_interval_ns = 100});
  cache.Add(1);
  cache.Add(2);
  cache.Add(3);
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].id, 1);
  EXPECT_FALSE(out_[0].complete);
  EXPECT_EQ(cache.stats().overflowed, 1u);
  EXPECT_EQ(cache.size(), 2u);
}

TEST_F(PendingCacheTest, NothingIsDroppedSilently) {
  auto cache = Make({.capacity = 8, .max_attempts = 4, .retry_interval_ns = 10});
  for (int i = 0; i < 100; ++i) {
    cache.Add(i);
    if (i % 3 == 0) known_.insert(i);
    if (i % 7 == 1) never_.insert(i);
    now_ += 3;
    cache.Poll();
  }
  cache.Flush();
  ASSERT_EQ(out_.size(), 100u);
  std::unordered_set<int> seen;
  for (const Emitted& e : out_) EXPECT_TRUE(seen.insert(e.id).second) << e.id;
  const PendingStats& s = cache.stats();
  EXPECT_EQ(s.added, 100u);
  EXPECT_EQ(s.resolved + s.expired + s.gave_up + s.overflowed + s.flushed, 100u);
  EXPECT_GT(s.gave_up, 0u);
  EXPECT_GT(s.overflowed, 0u);
  EXPECT_GT(s.resolved, 0u);
}

TEST_F(PendingCacheTest, OrderOfDueEntriesIsKept) {
  auto cache = Make({.capacity = 10, .max_attempts = 1, .retry_interval_ns = 50});
  cache.Add(1);
  now_ += 10;
  cache.Add(2);
  known_ = {1, 2};
  now_ += 45;  // only 1 is due
  cache.Poll();
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].id, 1);
  now_ += 10;
  cache.Poll();
  ASSERT_EQ(out_.size(), 2u);
  EXPECT_EQ(out_[1].id, 2);
}

TEST(PendingCacheMoveOnly, CarriesMoveOnlyEvents) {
  std::vector<std::string> out;
  uint64_t now = 0;
  PendingCache<std::unique_ptr<std::string>> cache(
      {.capacity = 4, .max_attempts = 1, .retry_interval_ns = 1}, [&] { return now; },
      [](std::unique_ptr<std::string>&) { return Resolution::kWait; },
      [&](std::unique_ptr<std::string>&& e, bool) { out.push_back(*e); });
  cache.Add(std::make_unique<std::string>("late"));
  now = 5;
  cache.Poll();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], "late");
}

}  // namespace
}  // namespace vigil::proctree
