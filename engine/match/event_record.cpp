#include "match/event_record.h"

#include <cstdio>
#include <cstdlib>

namespace vigil::match {

EventRecord::EventRecord()
    : numbers_(lang::AllFields().size()),
      texts_(lang::AllFields().size()),
      lists_(lang::AllFields().size()),
      addresses_(lang::AllFields().size()) {
  if (lang::AllFields().size() > kMaxFields) {
    // A build-time constant outgrown by the registry: fail loudly rather than corrupt memory.
    std::fprintf(stderr, "vigil: field registry has %zu fields, EventRecord holds %zu\n",
                 lang::AllFields().size(), kMaxFields);
    std::abort();
  }
}

void EventRecord::Clear() {
  present_.reset();
  type_ = lang::EventType::kExec;
  policies_ = ~uint64_t{0};
  policy_version_ = 0;
  incomplete_ = false;
}

void EventRecord::SetInt(lang::FieldId id, int64_t v) {
  numbers_[Index(id)] = static_cast<uint64_t>(v);
  present_.set(Index(id));
}

void EventRecord::SetUint(lang::FieldId id, uint64_t v) {
  numbers_[Index(id)] = v;
  present_.set(Index(id));
}

void EventRecord::SetString(lang::FieldId id, std::string_view v) {
  texts_[Index(id)].assign(v);
  present_.set(Index(id));
}

void EventRecord::SetAddress(lang::FieldId id, const IpAddress& v) {
  addresses_[Index(id)] = v;
  present_.set(Index(id));
}

void EventRecord::ClearList(lang::FieldId id) {
  lists_[Index(id)].size = 0;
  present_.set(Index(id));
}

void EventRecord::AppendToList(lang::FieldId id, std::string_view v) {
  ListSlot& s = lists_[Index(id)];
  if (!present_.test(Index(id))) s.size = 0;
  if (s.size == s.items.size()) s.items.emplace_back();
  s.items[s.size++].assign(v);
  present_.set(Index(id));
}

namespace {

lang::FieldId Must(std::string_view name) {
  auto id = lang::FieldByName(name);
  if (!id) {
    std::fprintf(stderr, "vigil: field registry lacks '%.*s'\n", static_cast<int>(name.size()),
                 name.data());
    std::abort();
  }
  return *id;
}

}  // namespace

const WellKnownFields& Fields() {
  static const WellKnownFields kFields = {
      Must("evt.type"),           Must("evt.time"),
      Must("evt.boottime"),       Must("evt.retval"),
      Must("evt.failed"),         Must("proc.args"),
      Must("proc.cmdline"),       Must("proc.parent.name"),
      Must("proc.parent.exe"),    Must("proc.ancestors.name"),
      Must("proc.ancestors.exe"), Must("proc.aname"),
      Must("proc.depth"),         Must("file.path"),
      Must("file.name"),          Must("file.dir"),
      Must("open.flags"),         Must("open.read"),
      Must("open.write"),         Must("open.create"),
  };
  return kFields;
}

}  // namespace vigil::match
