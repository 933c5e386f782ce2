#include "match/string_trie.h"

#include <algorithm>

namespace vigil::match {

StringTrie::StringTrie(bool reversed) : reversed_(reversed), nodes_(1) {}

uint32_t StringTrie::Child(uint32_t node, unsigned char c) const {
  const auto& edges = nodes_[node].edges;
  auto it = std::lower_bound(edges.begin(), edges.end(), c,
                             [](const auto& e, unsigned char v) { return e.first < v; });
  return it != edges.end() && it->first == c ? it->second : 0;
}

void StringTrie::Insert(std::string_view member) {
  uint32_t node = 0;
  for (size_t i = 0; i < member.size(); ++i) {
    unsigned char c =
        static_cast<unsigned char>(reversed_ ? member[member.size() - 1 - i] : member[i]);
    uint32_t next = Child(node, c);
    if (next == 0) {
      next = static_cast<uint32_t>(nodes_.size());
      nodes_.emplace_back();
      auto& edges = nodes_[node].edges;
      auto it = std::lower_bound(edges.begin(), edges.end(), c,
                                 [](const auto& e, unsigned char v) { return e.first < v; });
      edges.insert(it, {c, next});
    }
    node = next;
  }
  if (!nodes_[node].terminal) ++members_;
  nodes_[node].terminal = true;
}

bool StringTrie::Match(std::string_view text) const {
  uint32_t node = 0;
  if (nodes_[0].terminal) return true;  // the empty string is a prefix of everything
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(reversed_ ? text[text.size() - 1 - i] : text[i]);
    node = Child(node, c);
    if (node == 0) return false;
    if (nodes_[node].terminal) return true;
  }
  return false;
}

}  // namespace vigil::match
