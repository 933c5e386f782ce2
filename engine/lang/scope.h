// A policy scope, validated and normalised by engine/lang: the conjunction of filters that
// the kernel evaluates per process. Everything here is decidable in BPF; anything a user
// writes that is not is rejected by lint (V019) before it can reach this form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bpf/vocabulary.h"
#include "lang/events.h"

namespace vigil::lang {

// The filter kinds of VIGIL_SCOPE_KINDS (bpf/vocabulary.h), numbered as the kernel's
// enum vigil_scope_kind:
//   uid, gid, pid      numeric: real uid, real gid, tgid of the process
//   comm               string: task comm (max 15 bytes)
//   binary             string: executable path, optionally qualified by a mount namespace id
//   mntns, pidns       numeric: mount / pid namespace inode
//   uts                string: uts (host) name
//   cgroup             numeric: cgroup id
//   container          flag: the process is in a container (pidns differs from the host's)
//   new                flag: the process started after the policy was loaded
enum class ScopeFilterKind : uint8_t {
#define VIGIL_X_SCOPE_KIND(ID, Name, ...) k##Name = VIGIL_SCOPE_##ID,
  VIGIL_SCOPE_KINDS(VIGIL_X_SCOPE_KIND)
#undef VIGIL_X_SCOPE_KIND
};

struct ScopeFilterKindInfo {
  ScopeFilterKind kind;
  const char* name;  // as written in a scope
};

// Every filter kind in numbering order: AllScopeFilterKinds()[i].kind == ScopeFilterKind i.
std::span<const ScopeFilterKindInfo> AllScopeFilterKinds();
// "?" for a value outside the table.
const char* ScopeFilterKindName(ScopeFilterKind kind);

// One value a filter compares against. Numeric filters use [lo, hi] (lo == hi for a single
// value; `uid >= 1000` becomes [1000, UINT64_MAX]). String filters use `text`; binary paths
// qualified as `4026531840:"/usr/bin/x"` carry the mount namespace in `mntns` (0 = any).
struct ScopeValue {
  uint64_t lo = 0;
  uint64_t hi = 0;
  std::string text;
  uint64_t mntns = 0;
};

// A filter matches when the process's key is one of `values` (or, for flags, when the
// flag holds); `negated` inverts that. `follow` is per filter: the descendants of a process
// that passes this filter pass it too (across fork and exec, whatever their own key), while
// they must still pass the scope's other filters themselves.
struct ScopeFilter {
  ScopeFilterKind kind = ScopeFilterKind::kUid;
  bool negated = false;
  bool follow = false;
  std::vector<ScopeValue> values;
};

// What the kernel can hold, checked by pass 5 (policies.cpp) so that a program that lints clean
// always fits the kernel plan; engine/compile/kernel_plan.cpp asserts each equals its
// counterpart in bpf/events.h.
// At most this many filters of one scope can carry `follow` (VIGIL_FOLLOW_LANES, the kernel's
// per-process lanes).
inline constexpr size_t kMaxFollowFilters = 2;
// Bytes of a comm (VIGIL_COMM_LEN - 1), a uts name (VIGIL_UTS_LEN - 1) and a binary path
// (VIGIL_PATH_MAX - 1): the kernel keeps that many.
inline constexpr size_t kMaxCommBytes = 15;
inline constexpr size_t kMaxUtsBytes = 63;
inline constexpr size_t kMaxBinaryPathBytes = 1023;
// Ranges (lo < hi) one uid, gid or pid filter can hold (VIGIL_MAX_RANGES).
inline constexpr size_t kMaxRangesPerFilter = 4;

// Event types only a policy without scope filters can select: the kernel sees them in softirq
// context, where it cannot tell which process a socket belongs to.
inline constexpr EventMask kGlobalScopeOnlyEvents = Bit(EventType::kTcpState);

// Whether a numeric filter takes ranges (uid, gid, pid); the others compare exact values.
inline bool TakesRanges(ScopeFilterKind kind) {
  return kind == ScopeFilterKind::kUid || kind == ScopeFilterKind::kGid ||
         kind == ScopeFilterKind::kPid;
}

// `global` is a scope with no filters. Filters are combined with `and`.
struct Scope {
  std::vector<ScopeFilter> filters;
  // Whether any filter carries `follow`.
  bool follow() const {
    for (const auto& f : filters)
      if (f.follow) return true;
    return false;
  }
};

}  // namespace vigil::lang
