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

namespace {

// clear() + append() rather than assign(): assign() takes the general replace path (which
// allows `v` to alias the string), append() within the capacity is a memcpy. A `v` inside `s`
// (a field set from itself) still takes assign().
void CopyInto(std::string& s, std::string_view v) {
  const auto from = reinterpret_cast<uintptr_t>(v.data());
  const auto begin = reinterpret_cast<uintptr_t>(s.data());
  if (from >= begin && from <= begin + s.size()) {
    s.assign(v);
    return;
  }
  s.clear();
  s.append(v.data(), v.size());
}

}  // namespace

void EventRecord::SetString(lang::FieldId id, std::string_view v) {
  CopyInto(texts_[Index(id)], v);
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
  CopyInto(s.items[s.size++], v);
  present_.set(Index(id));
}

}  // namespace vigil::match
