#include "match/derive.h"

#include <string>

#include "match/path_parts.h"

namespace vigil::match {
namespace {

constexpr uint64_t kAccMode = 03, kRdOnly = 0, kWrOnly = 01, kRdWr = 02, kCreat = 0100,
                   kTrunc = 01000, kTmpFileBit = 020000000;

class Deriver {
 public:
  explicit Deriver(EventRecord& r) : r_(r), type_bit_(lang::Bit(r.type())) {}

  void Run() {
    const WellKnownFields& f = Fields();
    if (Wants(f.evt_type)) r_.SetString(f.evt_type, lang::EventTypeName(r_.type()));
    if (Wants(f.evt_failed) && r_.Has(f.evt_retval))
      r_.SetBool(f.evt_failed, r_.Int(f.evt_retval) < 0);
    if (r_.Has(f.file_path)) {
      std::string_view path = r_.String(f.file_path);
      if (Wants(f.file_name)) r_.SetString(f.file_name, Basename(path));
      if (Wants(f.file_dir)) r_.SetString(f.file_dir, Dirname(path));
    }
    if (r_.Has(f.open_flags)) {
      uint64_t flags = r_.Uint(f.open_flags);
      uint64_t mode = flags & kAccMode;
      if (Wants(f.open_read)) r_.SetBool(f.open_read, mode == kRdOnly || mode == kRdWr);
      if (Wants(f.open_write))
        r_.SetBool(f.open_write, mode == kWrOnly || mode == kRdWr || (flags & kTrunc));
      if (Wants(f.open_create)) r_.SetBool(f.open_create, (flags & (kCreat | kTmpFileBit)) != 0);
    }
    if (Wants(f.proc_cmdline) && r_.Has(f.proc_args)) {
      std::string joined;
      for (const auto& a : r_.List(f.proc_args)) {
        if (!joined.empty()) joined += ' ';
        joined += a;
      }
      r_.SetString(f.proc_cmdline, joined);
    }
    if (r_.Has(f.proc_ancestors_name)) {
      auto names = r_.List(f.proc_ancestors_name);
      if (Wants(f.proc_parent_name) && !names.empty()) r_.SetString(f.proc_parent_name, names[0]);
      if (Wants(f.proc_depth)) r_.SetInt(f.proc_depth, static_cast<int64_t>(names.size()));
    }
    if (r_.Has(f.proc_ancestors_exe)) {
      auto exes = r_.List(f.proc_ancestors_exe);
      if (Wants(f.proc_parent_exe) && !exes.empty()) r_.SetString(f.proc_parent_exe, exes[0]);
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

}  // namespace vigil::match
