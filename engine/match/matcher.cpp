#include "match/matcher.h"

namespace vigil::match {

Matcher::Matcher(const MatchNode& root) {
  Append(root);
}

void Matcher::Append(const MatchNode& n) {
  uint32_t at = static_cast<uint32_t>(nodes_.size());
  nodes_.push_back({n.kind, 0, n.check.get()});
  if (n.check) checks_.push_back(n.check);
  for (const auto& c : n.children) Append(c);
  nodes_[at].end = static_cast<uint32_t>(nodes_.size());
}

bool Matcher::EvalAt(uint32_t i, const EventRecord& r, EvalScratch& s) const {
  const Node& n = nodes_[i];
  switch (n.kind) {
    case NodeKind::kTrue:
      return true;
    case NodeKind::kFalse:
      return false;
    case NodeKind::kCheck:
      return n.check->Eval(r, s);
    case NodeKind::kNot:
      return !EvalAt(i + 1, r, s);
    case NodeKind::kAnd:
      for (uint32_t c = i + 1; c < n.end; c = nodes_[c].end)
        if (!EvalAt(c, r, s)) return false;
      return true;
    case NodeKind::kOr:
      for (uint32_t c = i + 1; c < n.end; c = nodes_[c].end)
        if (EvalAt(c, r, s)) return true;
      return false;
  }
  return false;
}

std::string DescribeTree(const MatchNode& n, int indent) {
  std::string pad(static_cast<size_t>(indent) * 2, ' ');
  switch (n.kind) {
    case NodeKind::kTrue:
      return pad + "true\n";
    case NodeKind::kFalse:
      return pad + "false\n";
    case NodeKind::kCheck:
      return pad + n.check->Describe() + "\n";
    case NodeKind::kNot:
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      std::string out = pad +
                        (n.kind == NodeKind::kNot   ? "not"
                         : n.kind == NodeKind::kAnd ? "and"
                                                    : "or") +
                        "\n";
      for (const auto& c : n.children) out += DescribeTree(c, indent + 1);
      return out;
    }
  }
  return pad + "?\n";
}

}  // namespace vigil::match
