#include "proctree/flat_index.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace vigil::proctree {
namespace {

TEST(FlatIndexTest, InsertFindErase) {
  FlatIndex<uint32_t, uint64_t> index(4);
  EXPECT_TRUE(index.Insert(7, 70).second);
  EXPECT_FALSE(index.Insert(7, 71).second);  // present: kept
  EXPECT_EQ(*index.Find(7), 70u);
  EXPECT_EQ(index.Find(8), nullptr);
  EXPECT_FALSE(index.EraseIfValue(7, 71));
  EXPECT_TRUE(index.EraseIfValue(7, 70));
  EXPECT_EQ(index.Find(7), nullptr);
  EXPECT_FALSE(index.Erase(7));
  EXPECT_EQ(index.size(), 0u);
}

TEST(FlatIndexTest, KeyZeroIsRefused) {
  FlatIndex<uint64_t, uint32_t> index;
  EXPECT_EQ(index.Insert(0, 1).first, nullptr);
  EXPECT_EQ(index.Find(0), nullptr);
  EXPECT_FALSE(index.Erase(0));
  EXPECT_EQ(index.size(), 0u);
}

// Random operations against std::unordered_map, with consecutive keys (pids) and a small key
// space so that clusters, wrap-around and backward-shift deletion are all exercised.
TEST(FlatIndexTest, MatchesAReferenceMapUnderRandomOperations) {
  std::mt19937_64 rng(7);
  for (uint64_t key_space : {64u, 5000u}) {
    FlatIndex<uint64_t, uint64_t> index(8);
    std::unordered_map<uint64_t, uint64_t> reference;
    for (int i = 0; i < 200000; ++i) {
      uint64_t key = 1 + rng() % key_space;
      switch (rng() % 3) {
        case 0: {
          uint64_t value = rng();
          bool inserted = index.Insert(key, value).second;
          EXPECT_EQ(inserted, reference.emplace(key, value).second);
          break;
        }
        case 1:
          EXPECT_EQ(index.Erase(key), reference.erase(key) == 1);
          break;
        default: {
          const uint64_t* got = index.Find(key);
          auto it = reference.find(key);
          ASSERT_EQ(got != nullptr, it != reference.end()) << key;
          if (got) {
            EXPECT_EQ(*got, it->second);
          }
        }
      }
      ASSERT_EQ(index.size(), reference.size());
    }
    for (const auto& [key, value] : reference) {
      const uint64_t* got = index.Find(key);
      ASSERT_NE(got, nullptr);
      EXPECT_EQ(*got, value);
    }
  }
}

}  // namespace
}  // namespace vigil::proctree
