#include "match/event_record.h"

namespace vigil::match {

EventRecord::EventRecord()
    : numbers_(lang::kFieldCount),
      texts_(lang::kFieldCount),
      lists_(lang::kFieldCount),
      addresses_(lang::kFieldCount) {}

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

}  // namespace vigil::match
