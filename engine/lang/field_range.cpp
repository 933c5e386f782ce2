#include "lang/field_range.h"

namespace vigil::lang {

ValueRange FieldRange(FieldId id) {
  constexpr uint64_t kU16 = UINT16_MAX, kU32 = UINT32_MAX;
  switch (id) {
    case FieldId::kProcPid:  // pids and ids are the kernel's u32 (bpf/events.h)
    case FieldId::kProcTid:
    case FieldId::kProcPpid:
    case FieldId::kProcParentPid:
    case FieldId::kProcVpid:
    case FieldId::kProcTtyDev:
    case FieldId::kProcUid:
    case FieldId::kProcEuid:
    case FieldId::kProcGid:
    case FieldId::kProcLoginuid:
    case FieldId::kCredUid:
    case FieldId::kCredEuid:
    case FieldId::kCredSuid:
    case FieldId::kCredFsuid:
    case FieldId::kCredGid:
    case FieldId::kCredEgid:
      return {0, kU32};
    case FieldId::kNetFamily:  // sa_family_t
    case FieldId::kNetSport:
    case FieldId::kNetDport:
      return {0, kU16};
    case FieldId::kExitCode:  // from the wait status
      return {0, 255};
    case FieldId::kExitSignal:
      return {0, 127};
    default:
      break;
  }
  switch (Field(id).type) {
    case Type::kInt:
      return {INT64_MIN, static_cast<uint64_t>(INT64_MAX)};
    case Type::kBool:
      return {0, 1};
    default:
      return {0, UINT64_MAX};
  }
}

}  // namespace vigil::lang
