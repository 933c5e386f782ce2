#include "lang/scope.h"

#include <array>

namespace vigil::lang {
namespace {

constexpr std::array<ScopeFilterKindInfo, VIGIL_SCOPE_KIND_MAX> kKinds = {{
#define VIGIL_X_SCOPE_KIND_INFO(ID, Name, name, values) {ScopeFilterKind::k##Name, name},
    VIGIL_SCOPE_KINDS(VIGIL_X_SCOPE_KIND_INFO)
#undef VIGIL_X_SCOPE_KIND_INFO
}};

}  // namespace

std::span<const ScopeFilterKindInfo> AllScopeFilterKinds() {
  return kKinds;
}

const char* ScopeFilterKindName(ScopeFilterKind kind) {
  const auto i = static_cast<size_t>(kind);
  return i < kKinds.size() ? kKinds[i].name : "?";
}

}  // namespace vigil::lang
