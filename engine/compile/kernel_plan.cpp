#include "compile/kernel_plan.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "bpf/entity.h"
#include "lang/program.h"

namespace vigil::compile {
namespace {

// The language checks the kernel's limits (lang/scope.h, lang/program.h); these keep them equal.
static_assert(lang::kMaxFollowFilters == VIGIL_FOLLOW_LANES,
              "the language allows as many follow filters as the kernel has lanes");
static_assert(lang::kMaxCommBytes == VIGIL_COMM_LEN - 1);
static_assert(lang::kMaxUtsBytes == VIGIL_UTS_LEN - 1);
static_assert(lang::kMaxBinaryPathBytes == VIGIL_PATH_MAX - 1);
static_assert(lang::kMaxRangesPerFilter == VIGIL_MAX_RANGES);
static_assert(lang::kMaxPolicies == VIGIL_MAX_POLICIES);

using lang::ScopeFilterKind;

// Both enumerations come from VIGIL_SCOPE_KINDS (bpf/vocabulary.h): the same numbers.
vigil_scope_kind KernelKind(ScopeFilterKind kind) {
  return static_cast<vigil_scope_kind>(kind);
}

const char* KindName(vigil_scope_kind kind) {
  return lang::ScopeFilterKindName(static_cast<ScopeFilterKind>(kind));
}

int RangeSlot(vigil_scope_kind kind) {
  switch (kind) {
    case VIGIL_SCOPE_UID:
      return 0;
    case VIGIL_SCOPE_GID:
      return 1;
    case VIGIL_SCOPE_PID:
      return 2;
    default:
      return -1;
  }
}

// Gives the follow filter `kind` of the policy `bit` the policy's next free follow lane.
bool AddFollow(vigil_policy_config& cfg, vigil_scope_kind kind, uint64_t bit) {
  for (auto& lane : cfg.follow_kind) {
    bool used = false;
    for (uint64_t policies : lane) used = used || (policies & bit) != 0;
    if (used) continue;
    lane[kind] |= bit;
    return true;
  }
  return false;
}

Error Fail(const std::string& policy, const std::string& message) {
  return Error{"policy " + policy + ": " + message};
}

// A config with no policy, no filter and no range in use.
std::shared_ptr<vigil_policy_config> EmptyConfig(const KernelPlanOptions& options) {
  auto cfg = std::make_shared<vigil_policy_config>();
  *cfg = vigil_policy_config{};
  for (auto& kind : cfg->ranges)
    for (auto& policy : kind)
      for (auto& r : policy) r = vigil_range{1, 0};  // hi < lo: unused
  cfg->loaded_at_ns = options.loaded_at_ns;
  cfg->host_pidns = options.host_pidns;
  cfg->lifecycle_all = options.lifecycle_all ? 1 : 0;
  return cfg;
}

// Which event types the policy `bit` wants.
Status AddEventTypes(const KernelPolicyInput& policy, uint64_t bit, kernel::KernelPlan& out) {
  for (uint16_t type : policy.event_types) {
    if (type >= VIGIL_EVT_MAX)
      return Fail(policy.name, "unknown event type " + std::to_string(type));
    if (type == VIGIL_EVT_TCP_STATE && !policy.scope.filters.empty())
      return Fail(policy.name,
                  "tcp_state events happen in softirq context where the kernel cannot tell "
                  "which process owns the socket; only a global scope can select them");
    out.event_policies[type] |= bit;
    out.event_types.insert(type);
  }
  return OkStatus();
}

// What an `action kill` policy kills at exec by itself.
void AddExecKills(const KernelPolicyInput& policy, uint64_t bit, kernel::KernelPlan& out) {
  if (!policy.kill_exec_always && policy.kill_exec.empty()) return;
  vigil_policy_config& cfg = *out.config;
  cfg.kill_exec |= bit;
  if (policy.kill_exec_always) cfg.kill_exec_any |= bit;
  for (const auto& [what, text] : policy.kill_exec) out.kill_exec[{what, PathHash(text)}] |= bit;
}

// One value of a filter: a map entry, or a range of policy `p`'s config.
Status AddFilterValue(const std::string& policy, size_t p, vigil_scope_kind kind,
                      const lang::ScopeValue& v, int& range_count, kernel::KernelPlan& out) {
  const uint64_t bit = 1ULL << p;
  switch (kind) {
    case VIGIL_SCOPE_UID:
    case VIGIL_SCOPE_GID:
    case VIGIL_SCOPE_PID:
      if (v.lo > v.hi) return Fail(policy, "empty range");
      if (v.lo == v.hi) {
        out.numeric[{kind, v.lo}] |= bit;
      } else {
        if (range_count == VIGIL_MAX_RANGES)
          return Fail(policy, std::string("more than ") + std::to_string(VIGIL_MAX_RANGES) + " " +
                                  KindName(kind) + " ranges");
        out.config->ranges[RangeSlot(kind)][p][range_count++] = vigil_range{v.lo, v.hi};
      }
      break;
    case VIGIL_SCOPE_MNTNS:
    case VIGIL_SCOPE_PIDNS:
    case VIGIL_SCOPE_CGROUP:
      if (v.lo != v.hi)
        return Fail(policy, std::string(KindName(kind)) + " takes single values, not ranges");
      out.numeric[{kind, v.lo}] |= bit;
      break;
    case VIGIL_SCOPE_COMM:
      if (v.text.empty() || v.text.size() >= VIGIL_COMM_LEN)
        return Fail(policy, "comm \"" + v.text + "\" must be 1 to 15 bytes (the kernel's limit)");
      out.comm[v.text] |= bit;
      break;
    case VIGIL_SCOPE_UTS:
      if (v.text.empty() || v.text.size() >= VIGIL_UTS_LEN)
        return Fail(policy, "uts name must be 1 to 63 bytes");
      out.uts[v.text] |= bit;
      break;
    case VIGIL_SCOPE_BINARY:
      if (v.text.empty() || v.text[0] != '/')
        return Fail(policy, "binary \"" + v.text + "\" must be an absolute path");
      if (v.text.size() >= VIGIL_PATH_MAX)
        return Fail(policy, "binary path longer than the kernel's limit");
      out.binary[{v.mntns, PathHash(v.text)}] |= bit;
      break;
    case VIGIL_SCOPE_CONTAINER:
    case VIGIL_SCOPE_NEW:
    case VIGIL_SCOPE_KIND_MAX:
      break;
  }
  return OkStatus();
}

// One filter of policy `p`: its enabled, negated and follow bits, and its values.
Status AddFilter(const std::string& policy, size_t p, const lang::ScopeFilter& f,
                 kernel::KernelPlan& out) {
  vigil_policy_config& cfg = *out.config;
  const uint64_t bit = 1ULL << p;
  const vigil_scope_kind kind = KernelKind(f.kind);
  if (kind == VIGIL_SCOPE_KIND_MAX) return Fail(policy, "unknown scope filter");
  if (cfg.enabled[kind] & bit)
    return Fail(policy, std::string("more than one ") + KindName(kind) +
                            " filter; combine the values into one list");
  cfg.enabled[kind] |= bit;
  if (f.negated) cfg.negated[kind] |= bit;
  if (f.follow && !AddFollow(cfg, kind, bit))
    return Fail(policy, "more than " + std::to_string(VIGIL_FOLLOW_LANES) +
                            " filters with follow; the kernel tracks that many per policy");
  int range_count = 0;
  for (const lang::ScopeValue& v : f.values)
    if (auto s = AddFilterValue(policy, p, kind, v, range_count, out); !s) return s;
  return OkStatus();
}

// Policy `p`: its bits in the config, its event types, kills and filters.
Status AddPolicy(const KernelPolicyInput& policy, size_t p, kernel::KernelPlan& out) {
  vigil_policy_config& cfg = *out.config;
  const uint64_t bit = 1ULL << p;
  cfg.policies |= bit;
  if (policy.scope.filters.empty()) cfg.unscoped |= bit;
  if (policy.scope.follow()) cfg.follow |= bit;
  if (auto s = AddEventTypes(policy, bit, out); !s) return s;
  AddExecKills(policy, bit, out);
  for (const lang::ScopeFilter& f : policy.scope.filters)
    if (auto s = AddFilter(policy.name, p, f, out); !s) return s;
  return OkStatus();
}

}  // namespace

uint64_t PathHash(const std::string& path) {
  static_assert(std::endian::native == std::endian::little,
                "the kernel hashes little-endian words");
  uint64_t h = VIGIL_PATH_HASH_SEED;
  for (size_t done = 0; done < path.size(); done += 8) {
    uint64_t word = 0;
    std::memcpy(&word, path.data() + done, std::min<size_t>(8, path.size() - done));
    h = vigil_path_hash_step(h, word);
  }
  return vigil_path_hash_finish(h, path.size());
}

Result<kernel::KernelPlan> BuildKernelPlan(const std::vector<KernelPolicyInput>& policies,
                                           const KernelPlanOptions& options) {
  if (policies.size() > VIGIL_MAX_POLICIES)
    return Error{"at most " + std::to_string(VIGIL_MAX_POLICIES) + " policies can be loaded, got " +
                 std::to_string(policies.size())};
  kernel::KernelPlan out;
  out.version = options.version;
  out.config = EmptyConfig(options);
  for (size_t p = 0; p < policies.size(); ++p)
    if (auto s = AddPolicy(policies[p], p, out); !s) return Error{s.error()};
  return out;
}

}  // namespace vigil::compile
