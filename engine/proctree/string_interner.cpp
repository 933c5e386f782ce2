#include "proctree/string_interner.h"

#include <xxhash.h>

#include <cstring>
#include <new>

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

Interned StringInterner::Intern(std::string_view text) {
  ++stats_.lookups;
  if (text.size() > max_length_) {
    text = text.substr(0, max_length_);
    ++stats_.truncated;
  }
  if (text.empty()) return Interned();
  const uint64_t hash = XXH3_64bits(text.data(), text.size());
  detail::InternEntry** found = index_.Find(hash);
  if (found && (*found)->text() == text) return Interned(*found);
  void* memory = ::operator new(sizeof(detail::InternEntry) + text.size());
  auto* entry = new (memory) detail::InternEntry{this, 0, 0, static_cast<uint32_t>(text.size())};
  std::memcpy(reinterpret_cast<char*>(entry + 1), text.data(), text.size());
  if (!found && index_.Insert(hash, entry).second) entry->hash = hash;
  ++stats_.entries;
  stats_.bytes += text.size();
  return Interned(entry);
}

void StringInterner::Release(detail::InternEntry* entry) {
  if (entry->hash != 0) index_.Erase(entry->hash);
  --stats_.entries;
  stats_.bytes -= entry->size;
  entry->~InternEntry();
  ::operator delete(entry);
}

}  // namespace vigil::proctree
