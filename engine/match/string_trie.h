// Byte tries: ByteTrie, a trie with a payload per node, and StringTrie, a set of byte strings
// that answers "does any member start (or end) this text" in one walk over the text (the
// compiled form of a rule's startswith/endswith alternatives).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::match {

// A trie over bytes with one payload per node (nodes in one vector, the root first; each node's
// edges sorted by byte). With `reversed`, keys and texts are walked back to front, so the trie
// answers for suffixes.
template <typename Payload>
class ByteTrie {
 public:
  ByteTrie(bool reversed, Payload empty) : reversed_(reversed), empty_(empty), nodes_(1) {
    nodes_[0].payload = empty;
  }

  // The payload of `key`'s node; the nodes on the way are created with the empty payload.
  Payload& At(std::string_view key) {
    uint32_t node = 0;
    for (size_t i = 0; i < key.size(); ++i) {
      const unsigned char c = Byte(key, i);
      auto& edges = nodes_[node].edges;
      auto it = LowerBound(edges, c);
      if (it != edges.end() && it->first == c) {
        node = it->second;
        continue;
      }
      const auto next = static_cast<uint32_t>(nodes_.size());
      edges.insert(it, {c, next});  // before emplace_back: `edges` refers into nodes_
      nodes_.emplace_back();
      nodes_.back().payload = empty_;
      node = next;
    }
    return nodes_[node].payload;
  }

  // Calls f(payload) for the root, then for each node along `text` as far as the trie goes,
  // until f returns true; returns whether it did.
  template <typename F>
  bool Walk(std::string_view text, F&& f) const {
    uint32_t node = 0;
    for (size_t i = 0;; ++i) {
      if (f(nodes_[node].payload)) return true;
      if (i == text.size()) return false;
      const auto& edges = nodes_[node].edges;
      const unsigned char c = Byte(text, i);
      auto it = LowerBound(edges, c);
      if (it == edges.end() || it->first != c) return false;
      node = it->second;
    }
  }

 private:
  using Edges = std::vector<std::pair<unsigned char, uint32_t>>;
  struct Node {
    Edges edges;
    Payload payload{};
  };
  template <typename E>
  static auto LowerBound(E& edges, unsigned char c) {
    return std::lower_bound(edges.begin(), edges.end(), c,
                            [](const auto& e, unsigned char v) { return e.first < v; });
  }
  unsigned char Byte(std::string_view s, size_t i) const {
    return static_cast<unsigned char>(reversed_ ? s[s.size() - 1 - i] : s[i]);
  }

  bool reversed_;
  Payload empty_;
  std::vector<Node> nodes_;
};

// A set of byte strings that answers "does any member start (or end) this text" in one walk
// over the text: the compiled form of a rule's startswith/endswith alternatives.
class StringTrie {
 public:
  // With `reversed`, members are stored back to front and Match tests suffixes.
  explicit StringTrie(bool reversed = false) : trie_(reversed, false) {}
  void Insert(std::string_view member) {
    bool& terminal = trie_.At(member);
    if (!terminal) ++members_;
    terminal = true;
  }
  // True when some member is a prefix (a suffix, when reversed) of `text`.
  bool Match(std::string_view text) const {
    return trie_.Walk(text, [](bool terminal) { return terminal; });
  }
  size_t size() const { return members_; }

 private:
  ByteTrie<bool> trie_;
  size_t members_ = 0;
};

}  // namespace vigil::match
