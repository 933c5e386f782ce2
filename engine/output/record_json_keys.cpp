#include "output/record_json_keys.h"

#include <algorithm>

namespace vigil::output::json_keys {
namespace {

Entry::Kind FieldKind(lang::Type type) {
  switch (type) {
    case lang::Type::kString:
      return Entry::kString;
    case lang::Type::kInt:
      return Entry::kInt;
    case lang::Type::kUint:
    case lang::Type::kFlags:
      return Entry::kUint;
    case lang::Type::kBool:
      return Entry::kBool;
    case lang::Type::kAddress:
      return Entry::kAddress;
    case lang::Type::kStringList:
      return Entry::kStringList;
  }
  return Entry::kIndexed;  // not reached: every type is above (a line then takes the other path)
}

}  // namespace

uint64_t Node::HeadExact(std::string_view k) {
  uint64_t w = 0;
  std::memcpy(&w, k.data(), std::min<size_t>(k.size(), 8));
  return w;
}

size_t Node::Cost(uint64_t m, unsigned bits) const {
  std::vector<bool> used(size_t{1} << bits);
  size_t probes = 0;
  for (const auto& [k, e] : keys) {
    size_t i = static_cast<size_t>(((HeadExact(k) + k.size()) * m) >> (64 - bits));
    for (++probes; used[i]; i = (i + 1) & (used.size() - 1)) ++probes;
    used[i] = true;
  }
  return probes;
}

void Node::Seal(const std::vector<Entry>& entries) {
  unsigned bits = 3;
  while ((size_t{1} << bits) < keys.size() * 4) ++bits;
  // Odd constants with well-mixed bits; the first that reaches one probe a key wins.
  static constexpr uint64_t kMuls[] = {0x9e3779b97f4a7c15, 0xbf58476d1ce4e5b9, 0x94d049bb133111eb,
                                       0xff51afd7ed558ccd, 0xc4ceb9fe1a85ec53, 0xd6e8feb86659fd93};
  size_t best = SIZE_MAX;
  for (uint64_t m : kMuls) {
    const size_t cost = Cost(m, bits);
    if (cost < best) best = cost, mul = m;
    if (cost == keys.size()) break;
  }
  shift = 64 - bits;
  mask = (size_t{1} << bits) - 1;
  table.assign(size_t{1} << bits, Slot{});
  for (const auto& [k, e] : keys) {
    size_t i = Index(HeadExact(k), k.size());
    while (table[i].size != UINT32_MAX) i = (i + 1) & mask;
    table[i] = {HeadExact(k), static_cast<uint32_t>(k.size()), kNone, k.data(), entries[e]};
  }
}

KeyTree::KeyTree() {
  nodes.emplace_back();  // the root
  const auto& all = lang::AllFields();
  for (size_t i = 0; i < all.size(); ++i) {
    const std::string_view name = all[i].name;
    uint32_t node = 0;
    size_t start = 0;
    for (size_t dot = name.find('.'); dot != std::string_view::npos; dot = name.find('.', start)) {
      node = Namespace(node, name.substr(start, dot - start));
      start = dot + 1;
    }
    // A name that is a field and also a prefix of others is read as the field, as
    // RecordFromJson does.
    const uint32_t e = EntryAt(node, name.substr(start));
    entries_[e].kind = all[i].indexed ? Entry::kIndexed
                       : static_cast<lang::FieldId>(i) == lang::FieldId::kEvtType
                           ? Entry::kEventType
                           : FieldKind(all[i].type);
    entries_[e].id = static_cast<lang::FieldId>(i);
    entries_[e].range = lang::FieldRange(static_cast<lang::FieldId>(i));
  }
  for (auto [key, kind] : {std::pair{"incomplete", Entry::kIncomplete},
                           {"policy_version", Entry::kPolicyVersion},
                           {"policies", Entry::kPolicies}})
    if (!nodes[0].keys.count(key)) entries_[EntryAt(0, key)].kind = kind;
  for (auto& n : nodes) n.Seal(entries_);
  entries_.clear();
}

uint32_t KeyTree::EntryAt(uint32_t node, std::string_view key) {
  auto [it, inserted] = nodes[node].keys.emplace(key, static_cast<uint32_t>(entries_.size()));
  if (inserted) entries_.push_back(Entry{Entry::kNamespace});
  return it->second;
}

uint32_t KeyTree::Namespace(uint32_t node, std::string_view key) {
  const uint32_t e = EntryAt(node, key);
  if (entries_[e].child == 0) {
    entries_[e].child = static_cast<uint32_t>(nodes.size());
    nodes.emplace_back();
  }
  return entries_[e].child;
}

}  // namespace vigil::output::json_keys
