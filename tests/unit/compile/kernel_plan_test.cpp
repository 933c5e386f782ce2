// Scopes and event selections compile into the map contents the kernel evaluates.
#include <gtest/gtest.h>

#include "compile/kernel_plan.h"

namespace vigil::compile {
namespace {

using lang::ScopeFilter;
using lang::ScopeFilterKind;
using lang::ScopeValue;

ScopeFilter Filter(ScopeFilterKind kind, std::vector<ScopeValue> values, bool negated = false,
                   bool follow = false) {
  ScopeFilter f;
  f.kind = kind;
  f.values = std::move(values);
  f.negated = negated;
  f.follow = follow;
  return f;
}

ScopeValue Num(uint64_t lo, uint64_t hi) {
  return ScopeValue{lo, hi, "", 0};
}
ScopeValue Text(std::string t, uint64_t mntns = 0) {
  return ScopeValue{0, 0, std::move(t), mntns};
}

TEST(KernelPlan, PoliciesBecomeBitsPerFilterAndEvent) {
  KernelPolicyInput web{"web", {}, {VIGIL_EVT_EXEC, VIGIL_EVT_OPEN}, false, {}};
  web.scope.filters = {Filter(ScopeFilterKind::kComm, {Text("nginx")}, false, true),
                       Filter(ScopeFilterKind::kUid, {Num(33, 33), Num(1000, UINT64_MAX)})};
  KernelPolicyInput host{"host", {}, {VIGIL_EVT_OPEN, VIGIL_EVT_TCP_STATE}, false, {}};
  KernelPolicyInput other{"other", {}, {VIGIL_EVT_CONNECT}, false, {}};
  other.scope.filters = {Filter(ScopeFilterKind::kComm, {Text("nginx"), Text("curl")}, true),
                         Filter(ScopeFilterKind::kBinary, {Text("/usr/bin/x", 4026531840)}),
                         Filter(ScopeFilterKind::kContainer, {})};
  KernelPlanOptions options;
  options.version = 3;
  options.loaded_at_ns = 99;
  auto built = BuildKernelPlan({web, host, other}, options);
  ASSERT_TRUE(built) << built.error();
  const kernel::KernelPlan& plan = *built;

  const auto& cfg = *plan.config;
  EXPECT_EQ(plan.version, 3u);
  EXPECT_EQ(cfg.policies, 0b111u);
  EXPECT_EQ(cfg.unscoped, 0b010u);
  EXPECT_EQ(cfg.follow, 0b001u);
  EXPECT_EQ(cfg.loaded_at_ns, 99u);
  EXPECT_EQ(cfg.enabled[VIGIL_SCOPE_COMM], 0b101u);
  EXPECT_EQ(cfg.negated[VIGIL_SCOPE_COMM], 0b100u);
  EXPECT_EQ(cfg.enabled[VIGIL_SCOPE_UID], 0b001u);
  EXPECT_EQ(cfg.enabled[VIGIL_SCOPE_CONTAINER], 0b100u);
  EXPECT_EQ(plan.comm.at("nginx"), 0b101u);
  EXPECT_EQ(plan.comm.at("curl"), 0b100u);
  EXPECT_EQ((plan.numeric.at({VIGIL_SCOPE_UID, 33})), 0b001u);
  EXPECT_EQ(cfg.ranges[0][0][0].lo, 1000u);  // uid >= 1000 as a range of policy 0
  EXPECT_EQ(cfg.ranges[0][0][0].hi, UINT64_MAX);
  EXPECT_GT(cfg.ranges[0][0][1].lo, cfg.ranges[0][0][1].hi);  // unused slot
  EXPECT_EQ((plan.binary.at({4026531840, PathHash("/usr/bin/x")})), 0b100u);
  EXPECT_EQ(plan.event_policies.at(VIGIL_EVT_OPEN), 0b011u);
  EXPECT_EQ(plan.event_policies.at(VIGIL_EVT_TCP_STATE), 0b010u);
  EXPECT_TRUE(plan.Wants(VIGIL_EVT_CONNECT));
  EXPECT_FALSE(plan.Wants(VIGIL_EVT_PTRACE));
}

TEST(KernelPlan, FollowIsNumberedPerFilterIntoLanes) {
  KernelPolicyInput web{"web", {}, {VIGIL_EVT_OPEN}, false, {}};
  web.scope.filters = {Filter(ScopeFilterKind::kComm, {Text("nginx")}, false, true),
                       Filter(ScopeFilterKind::kUid, {Num(0, 0)})};
  KernelPolicyInput two{"two", {}, {VIGIL_EVT_OPEN}, false, {}};
  two.scope.filters = {Filter(ScopeFilterKind::kUid, {Num(0, 0)}, false, true),
                       Filter(ScopeFilterKind::kGid, {Num(5, 5)}),
                       Filter(ScopeFilterKind::kBinary, {Text("/usr/bin/x")}, false, true)};
  KernelPolicyInput none{"none", {}, {VIGIL_EVT_OPEN}, false, {}};
  none.scope.filters = {Filter(ScopeFilterKind::kComm, {Text("nginx")})};
  auto built = BuildKernelPlan({web, two, none}, {});
  ASSERT_TRUE(built) << built.error();
  const auto& cfg = *built->config;
  EXPECT_EQ(cfg.follow, 0b011u);
  for (int lane = 0; lane < VIGIL_FOLLOW_LANES; ++lane)
    for (int k = 0; k < VIGIL_SCOPE_KIND_MAX; ++k) {
      uint64_t want = 0;
      if (lane == 0 && k == VIGIL_SCOPE_COMM) want = 0b001;    // web: its one follow filter
      if (lane == 0 && k == VIGIL_SCOPE_UID) want = 0b010;     // two: first follow filter
      if (lane == 1 && k == VIGIL_SCOPE_BINARY) want = 0b010;  // two: second
      EXPECT_EQ(cfg.follow_kind[lane][k], want) << "lane " << lane << " kind " << k;
    }

  KernelPolicyInput three{"three", {}, {VIGIL_EVT_OPEN}, false, {}};
  three.scope.filters = {Filter(ScopeFilterKind::kUid, {Num(0, 0)}, false, true),
                         Filter(ScopeFilterKind::kGid, {Num(5, 5)}, false, true),
                         Filter(ScopeFilterKind::kComm, {Text("x")}, false, true)};
  auto refused = BuildKernelPlan({three}, {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("follow"), std::string::npos) << refused.error();
}

TEST(KernelPlan, RejectsWhatTheKernelCannotEvaluate) {
  KernelPolicyInput p{"p", {}, {VIGIL_EVT_OPEN}, false, {}};
  p.scope.filters = {Filter(ScopeFilterKind::kComm, {Text("a-name-longer-than-15")})};
  auto refused = BuildKernelPlan({p}, {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("15 bytes"), std::string::npos);

  p.scope.filters = {Filter(ScopeFilterKind::kBinary, {Text("relative/path")})};
  EXPECT_FALSE(BuildKernelPlan({p}, {}));

  p.scope.filters = {
      Filter(ScopeFilterKind::kUid, {Num(1, 2), Num(3, 4), Num(5, 6), Num(7, 8), Num(9, 10)})};
  refused = BuildKernelPlan({p}, {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("ranges"), std::string::npos);

  KernelPolicyInput net{"net", {}, {VIGIL_EVT_TCP_STATE}, false, {}};
  net.scope.filters = {Filter(ScopeFilterKind::kComm, {Text("curl")})};
  refused = BuildKernelPlan({net}, {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("softirq"), std::string::npos);

  std::vector<KernelPolicyInput> many(65, KernelPolicyInput{"x", {}, {VIGIL_EVT_OPEN}, false, {}});
  EXPECT_FALSE(BuildKernelPlan(many, {}));
}

}  // namespace
}  // namespace vigil::compile
