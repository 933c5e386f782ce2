// The enriched event as the matchers read it: one flat slot per registry field (indexed by
// lang::FieldId) with a presence bit. The agent fills it from a decoded kernel event and the
// process tree; `vigil test` fills it from a test case and `vigil replay` from a JSON line.
// Storage is reused across Clear(), so a record filled in a loop stops allocating once its
// strings have reached their working size.
#pragma once

#include <bitset>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lang/events.h"
#include "lang/fields.h"
#include "lang/values.h"

namespace vigil::match {

class EventRecord {
 public:
  EventRecord();

  // Forgets every value (keeps the storage) and resets type, bitmap and flags.
  void Clear();

  lang::EventType type() const { return type_; }
  void set_type(lang::EventType type) { type_ = type; }

  // Policies whose scope matched the process (bit i = policy index i).
  uint64_t policies() const { return policies_; }
  void set_policies(uint64_t bitmap) { policies_ = bitmap; }
  uint32_t policy_version() const { return policy_version_; }
  void set_policy_version(uint32_t v) { policy_version_ = v; }
  // The process context was only partly known when the event was emitted.
  bool incomplete() const { return incomplete_; }
  void set_incomplete(bool v) { incomplete_ = v; }

  bool Has(lang::FieldId id) const { return present_.test(Index(id)); }
  // Which fields are present, bit i for FieldId i.
  const std::bitset<lang::kFieldCount>& present() const { return present_; }
  void Erase(lang::FieldId id) { present_.reset(Index(id)); }

  // Setters mark the field present. Numbers of every numeric type (int, uint, flags, bool)
  // share one 64-bit slot; the registry type says how to read it.
  void SetInt(lang::FieldId id, int64_t v);
  void SetUint(lang::FieldId id, uint64_t v);
  void SetBool(lang::FieldId id, bool v) { SetUint(id, v ? 1 : 0); }
  void SetString(lang::FieldId id, std::string_view v);
  void SetAddress(lang::FieldId id, const IpAddress& v);
  void ClearList(lang::FieldId id);  // present, no elements
  void AppendToList(lang::FieldId id, std::string_view v);

  // Getters assume Has(id); an absent field reads as zero / empty.
  int64_t Int(lang::FieldId id) const { return static_cast<int64_t>(numbers_[Index(id)]); }
  uint64_t Uint(lang::FieldId id) const { return numbers_[Index(id)]; }
  bool Bool(lang::FieldId id) const { return numbers_[Index(id)] != 0; }
  std::string_view String(lang::FieldId id) const { return texts_[Index(id)]; }
  const IpAddress& Address(lang::FieldId id) const { return addresses_[Index(id)]; }
  std::span<const std::string> List(lang::FieldId id) const {
    const ListSlot& s = lists_[Index(id)];
    return {s.items.data(), s.size};
  }

 private:
  // One array per kind of value, indexed by field id: the numbers a rule reads share cache
  // lines, and a record's storage is reused from event to event.
  struct ListSlot {
    std::vector<std::string> items;  // the first `size` elements are live
    size_t size = 0;
  };
  static size_t Index(lang::FieldId id) { return static_cast<size_t>(id); }

  std::bitset<lang::kFieldCount> present_;
  std::vector<uint64_t> numbers_;
  std::vector<std::string> texts_;
  std::vector<ListSlot> lists_;
  std::vector<IpAddress> addresses_;
  lang::EventType type_ = lang::EventType::kExec;
  uint64_t policies_ = ~uint64_t{0};
  uint32_t policy_version_ = 0;
  bool incomplete_ = false;
};

}  // namespace vigil::match
