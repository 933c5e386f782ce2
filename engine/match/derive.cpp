#include "match/derive.h"

#include <string>

#include "match/path_parts.h"

namespace vigil::match {

using lang::FieldId;
namespace {

constexpr uint64_t kAccMode = 03, kRdOnly = 0, kWrOnly = 01, kRdWr = 02, kCreat = 0100,
                   kTrunc = 01000, kTmpFileBit = 020000000;
constexpr int64_t kSecondNs = 1'000'000'000;

// The name of the field's constant with this value, or the number as text.
std::string ConstantName(FieldId field, int64_t value) {
  if (const auto* constants = lang::Field(field).constants)
    for (const auto& c : *constants)
      if (c.value == value) return std::string(c.name);
  return std::to_string(value);
}

class Deriver {
 public:
  explicit Deriver(EventRecord& r) : r_(r), type_bit_(lang::Bit(r.type())) {}

  void Run() {
    if (Wants(FieldId::kEvtType)) r_.SetString(FieldId::kEvtType, lang::EventTypeName(r_.type()));
    if (Wants(FieldId::kEvtFailed) && r_.Has(FieldId::kEvtRetval))
      r_.SetBool(FieldId::kEvtFailed, r_.Int(FieldId::kEvtRetval) < 0);
    if (r_.Has(FieldId::kFilePath)) {
      std::string_view path = r_.String(FieldId::kFilePath);
      if (Wants(FieldId::kFileName)) r_.SetString(FieldId::kFileName, Basename(path));
      if (Wants(FieldId::kFileDir)) r_.SetString(FieldId::kFileDir, Dirname(path));
    }
    if (r_.Has(FieldId::kOpenFlags)) {
      uint64_t flags = r_.Uint(FieldId::kOpenFlags);
      uint64_t mode = flags & kAccMode;
      if (Wants(FieldId::kOpenRead))
        r_.SetBool(FieldId::kOpenRead, mode == kRdOnly || mode == kRdWr);
      if (Wants(FieldId::kOpenWrite))
        r_.SetBool(FieldId::kOpenWrite, mode == kWrOnly || mode == kRdWr || (flags & kTrunc));
      if (Wants(FieldId::kOpenCreate))
        r_.SetBool(FieldId::kOpenCreate, (flags & (kCreat | kTmpFileBit)) != 0);
    }
    if (Wants(FieldId::kPtraceRequestName) && r_.Has(FieldId::kPtraceRequest))
      r_.SetString(FieldId::kPtraceRequestName,
                   ConstantName(FieldId::kPtraceRequest, r_.Int(FieldId::kPtraceRequest)));
    if (Wants(FieldId::kBpfCmdName) && r_.Has(FieldId::kBpfCmd))
      r_.SetString(FieldId::kBpfCmdName, ConstantName(FieldId::kBpfCmd, r_.Int(FieldId::kBpfCmd)));
    if (Wants(FieldId::kUtimesBackdated) && r_.Has(FieldId::kEvtTime)) {
      // explicitly set more than a second before the event
      const int64_t limit = static_cast<int64_t>(r_.Uint(FieldId::kEvtTime)) - kSecondNs;
      bool back = false;
      for (FieldId t : {FieldId::kUtimesAtime, FieldId::kUtimesMtime})
        if (r_.Has(t) && r_.Int(t) < limit) back = true;
      r_.SetBool(FieldId::kUtimesBackdated, back);
    }
    if (Wants(FieldId::kProcCmdline) && r_.Has(FieldId::kProcArgs)) {
      std::string joined;
      for (const auto& a : r_.List(FieldId::kProcArgs)) {
        if (!joined.empty()) joined += ' ';
        joined += a;
      }
      r_.SetString(FieldId::kProcCmdline, joined);
    }
    if (Wants(FieldId::kProcEnvNames) && r_.Has(FieldId::kProcEnv)) {
      r_.ClearList(FieldId::kProcEnvNames);
      for (const auto& entry : r_.List(FieldId::kProcEnv))
        r_.AppendToList(FieldId::kProcEnvNames, std::string_view(entry).substr(0, entry.find('=')));
    }
    if (r_.Has(FieldId::kProcAncestorsName)) {
      auto names = r_.List(FieldId::kProcAncestorsName);
      if (Wants(FieldId::kProcParentName) && !names.empty())
        r_.SetString(FieldId::kProcParentName, names[0]);
      if (Wants(FieldId::kProcDepth))
        r_.SetInt(FieldId::kProcDepth, static_cast<int64_t>(names.size()));
    }
    if (r_.Has(FieldId::kProcAncestorsExe)) {
      auto exes = r_.List(FieldId::kProcAncestorsExe);
      if (Wants(FieldId::kProcParentExe) && !exes.empty())
        r_.SetString(FieldId::kProcParentExe, exes[0]);
    }
  }

 private:
  // Absent, and carried by this event type.
  bool Wants(lang::FieldId id) const {
    return !r_.Has(id) && (lang::Field(id).events & type_bit_) != 0;
  }

  EventRecord& r_;
  lang::EventMask type_bit_;
};

}  // namespace

void DeriveFields(EventRecord& record) {
  Deriver(record).Run();
}

void CompleteOfflineRecord(EventRecord& record) {
  // The event types whose agent events always carry evt.retval: those made by a syscall.
  static constexpr lang::EventMask kSyscallTypes = 0
#define VIGIL_X_SYSCALL_TYPE(ID, Name, name, origin, ...) \
  | (VIGIL_ORIGIN_##origin == VIGIL_ORIGIN_SYSCALL ? lang::Bit(lang::EventType::k##Name) : 0)
      VIGIL_EVENT_TYPES(VIGIL_X_SYSCALL_TYPE)
#undef VIGIL_X_SYSCALL_TYPE
      ;
  if ((kSyscallTypes & lang::Bit(record.type())) && !record.Has(FieldId::kEvtRetval) &&
      !record.Has(FieldId::kEvtFailed))
    record.SetInt(FieldId::kEvtRetval, 0);
  DeriveFields(record);
}

}  // namespace vigil::match
