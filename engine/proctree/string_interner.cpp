#include "proctree/string_interner.h"

namespace vigil::proctree {

Interned& Interned::operator=(const Interned& other) {
  if (entry_ != other.entry_) {
    Unref();
    entry_ = other.entry_;
    Ref();
  }
  return *this;
}

Interned& Interned::operator=(Interned&& other) noexcept {
  if (this != &other) {
    Unref();
    entry_ = other.entry_;
    other.entry_ = nullptr;
  }
  return *this;
}

void Interned::Unref() {
  if (entry_ && --entry_->refs == 0) entry_->owner->Release(entry_);
  entry_ = nullptr;
}

StringInterner::~StringInterner() {
  for (detail::InternEntry* entry : entries_) delete entry;
}

Interned StringInterner::Intern(std::string_view text) {
  ++stats_.lookups;
  if (text.size() > max_length_) {
    text = text.substr(0, max_length_);
    ++stats_.truncated;
  }
  if (text.empty()) return Interned();
  auto it = entries_.find(text);
  if (it != entries_.end()) return Interned(*it);
  auto* entry = new detail::InternEntry{std::string(text), this, 0};
  entries_.insert(entry);
  ++stats_.entries;
  stats_.bytes += entry->text.size();
  return Interned(entry);
}

void StringInterner::Release(detail::InternEntry* entry) {
  entries_.erase(entry);
  --stats_.entries;
  stats_.bytes -= entry->text.size();
  delete entry;
}

}  // namespace vigil::proctree
