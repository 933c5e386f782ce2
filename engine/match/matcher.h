// A rule's condition, compiled for one event type: a boolean tree of checks. The compiler
// builds it as a MatchNode tree (easy to fold and rewrite); Matcher stores it flat, in
// preorder, where each node knows where its subtree ends, and evaluates it with
// short-circuit and/or without touching the heap.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "match/checks.h"

namespace vigil::match {

enum class NodeKind : uint8_t { kTrue, kFalse, kAnd, kOr, kNot, kCheck };

struct MatchNode {
  NodeKind kind = NodeKind::kTrue;
  std::vector<MatchNode> children;     // kAnd, kOr (two or more), kNot (one)
  std::shared_ptr<const Check> check;  // kCheck; shared by the per-type copies of a rule

  static MatchNode Constant(bool v) { return {v ? NodeKind::kTrue : NodeKind::kFalse, {}, {}}; }
  bool IsConstant() const { return kind == NodeKind::kTrue || kind == NodeKind::kFalse; }
};

class Matcher {
 public:
  Matcher() = default;
  explicit Matcher(const MatchNode& root);

  bool Eval(const EventRecord& r, EvalScratch& s) const { return EvalAt(0, r, s); }
  // True when the condition is the constant `true` (every event of the type matches).
  bool AlwaysTrue() const { return nodes_.size() == 1 && nodes_[0].kind == NodeKind::kTrue; }
  size_t size() const { return nodes_.size(); }

  // The flat tree, for analyses over a compiled matcher (the candidate index): node 0 is the
  // root; a node's children follow it, each child's subtree ending where the next begins.
  struct Node {
    NodeKind kind;
    uint32_t end;  // index just past this node's subtree
    const Check* check;
  };
  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  void Append(const MatchNode& n);
  bool EvalAt(uint32_t i, const EventRecord& r, EvalScratch& s) const;

  std::vector<Node> nodes_;
  std::vector<std::shared_ptr<const Check>> checks_;  // owners of Node::check
};

// The tree as indented text, one node per line (for `vigil compile --explain`).
std::string DescribeTree(const MatchNode& root, int indent);

}  // namespace vigil::match
