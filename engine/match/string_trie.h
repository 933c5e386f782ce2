// A set of byte strings that answers "does any member start (or end) this text" in one walk
// over the text: the compiled form of a rule's startswith/endswith alternatives.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::match {

class StringTrie {
 public:
  // With `reversed`, members are stored back to front and Match tests suffixes.
  explicit StringTrie(bool reversed = false);
  void Insert(std::string_view member);
  // True when some member is a prefix (a suffix, when reversed) of `text`.
  bool Match(std::string_view text) const;
  size_t size() const { return members_; }

 private:
  struct Node {
    std::vector<std::pair<unsigned char, uint32_t>> edges;  // sorted by byte
    bool terminal = false;
  };
  uint32_t Child(uint32_t node, unsigned char c) const;  // 0 = none (root is never a child)

  bool reversed_;
  size_t members_ = 0;
  std::vector<Node> nodes_;
};

}  // namespace vigil::match
