#include "match/candidate_index.h"

#include <algorithm>
#include <map>

namespace vigil::match {
namespace {

using Kind = Requirement::Kind;
using Nodes = std::vector<Matcher::Node>;

// A check's requirement: the strings of its hint when it is an exact, prefix or suffix test on
// a plain string field (the hint is then the check itself: it holds exactly when the field's
// value is one of them, starts or ends with one of them).
std::optional<Requirement> FromCheck(const Check& check) {
  CheckHint h = check.Hint();
  Kind kind;
  switch (h.kind) {
    case CheckHint::Kind::kEquals:
      kind = Kind::kEquals;
      break;
    case CheckHint::Kind::kPrefix:
      kind = Kind::kPrefix;
      break;
    case CheckHint::Kind::kSuffix:
      kind = Kind::kSuffix;
      break;
    default:
      return std::nullopt;
  }
  if (lang::Field(h.field).type != lang::Type::kString) return std::nullopt;
  Requirement r;
  for (auto& s : h.strings) r.alternatives.push_back({h.field, kind, std::move(s)});
  return r;
}

// Rough cost of marking and then evaluating what a requirement lets through: exact values are
// the most selective; short prefixes and suffixes ("/", ".") let through much.
size_t Cost(const Requirement& r) {
  size_t cost = 0;
  for (const auto& a : r.alternatives)
    cost += a.kind == Kind::kEquals ? 1 : a.value.size() < 4 ? 8 : 2;
  return cost;
}

std::optional<Requirement> Derive(const Nodes& n, uint32_t i) {
  switch (n[i].kind) {
    case NodeKind::kTrue:
    case NodeKind::kNot:  // a negation requires nothing positive
      return std::nullopt;
    case NodeKind::kFalse:
      return Requirement{};  // never holds
    case NodeKind::kCheck:
      return FromCheck(*n[i].check);
    case NodeKind::kAnd: {
      // Every operand holds: any operand's requirement is the node's; keep the cheapest.
      std::optional<Requirement> best;
      for (uint32_t c = i + 1; c < n[i].end; c = n[c].end) {
        auto r = Derive(n, c);
        if (r && (!best || Cost(*r) < Cost(*best))) best = std::move(r);
      }
      return best;
    }
    case NodeKind::kOr: {
      // Some operand holds: the union, when every operand has a requirement.
      Requirement u;
      for (uint32_t c = i + 1; c < n[i].end; c = n[c].end) {
        auto r = Derive(n, c);
        if (!r) return std::nullopt;
        for (auto& a : r->alternatives) u.alternatives.push_back(std::move(a));
      }
      return u;
    }
  }
  return std::nullopt;
}

const char* KindText(Kind k) {
  switch (k) {
    case Kind::kEquals:
      return "==";
    case Kind::kPrefix:
      return "startswith";
    case Kind::kSuffix:
      return "endswith";
  }
  return "?";
}

}  // namespace

std::string Requirement::Describe() const {
  if (alternatives.empty()) return "never holds";
  std::map<std::pair<std::string, Kind>, size_t> groups;
  for (const auto& a : alternatives) ++groups[{std::string(lang::Field(a.field).name), a.kind}];
  std::string out;
  for (const auto& [key, n] : groups) {
    if (!out.empty()) out += " or ";
    out += key.first + " " + KindText(key.second) + " " +
           (n == 1 ? std::string("a value") : "one of " + std::to_string(n));
  }
  return out;
}

std::optional<Requirement> RequiredValues(const Matcher& m) {
  if (m.nodes().empty()) return std::nullopt;
  return Derive(m.nodes(), 0);
}

CandidateIndex::CandidateIndex(const std::vector<const Matcher*>& matchers)
    : always_((matchers.size() + 63) / 64, 0) {
  std::vector<std::vector<uint32_t>> lists;  // posting -> entries
  auto posting_for = [&](uint32_t& slot) -> std::vector<uint32_t>& {
    if (slot == PostingTrie::kNone) {
      slot = static_cast<uint32_t>(lists.size());
      lists.emplace_back();
    }
    return lists[slot];
  };
  for (uint32_t i = 0; i < matchers.size(); ++i) {
    requirements_.push_back(RequiredValues(*matchers[i]));
    const auto& req = requirements_.back();
    if (!req) {
      always_[i >> 6] |= uint64_t{1} << (i & 63);
      continue;
    }
    for (const auto& a : req->alternatives) {
      if (a.kind == Kind::kEquals) {
        auto probe = std::find_if(exact_.begin(), exact_.end(),
                                  [&](const ExactProbe& p) { return p.field == a.field; });
        if (probe == exact_.end()) probe = exact_.insert(exact_.end(), {a.field, {}});
        uint32_t slot = probe->values.Find(a.value);
        if (slot == FlatStringMap::kAbsent) {
          slot = probe->values.Insert(a.value, static_cast<uint32_t>(lists.size()));
          lists.emplace_back();
        }
        lists[slot].push_back(i);
      } else {
        const bool suffix = a.kind == Kind::kSuffix;
        auto probe = std::find_if(affix_.begin(), affix_.end(), [&](const AffixProbe& p) {
          return p.field == a.field && p.suffix == suffix;
        });
        if (probe == affix_.end())
          probe = affix_.insert(affix_.end(), {a.field, suffix, PostingTrie(suffix)});
        posting_for(probe->trie.At(a.value)).push_back(i);
      }
    }
  }
  for (auto& list : lists) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    Range r{static_cast<uint32_t>(ids_.size()), 0};
    ids_.insert(ids_.end(), list.begin(), list.end());
    r.end = static_cast<uint32_t>(ids_.size());
    postings_.push_back(r);
  }
}

void CandidateIndex::Mark(const EventRecord& r, uint64_t* bits) const {
  std::copy(always_.begin(), always_.end(), bits);
  for (const auto& p : exact_) {
    if (!r.Has(p.field)) continue;
    const uint32_t posting = p.values.Find(r.String(p.field));
    if (posting != FlatStringMap::kAbsent) MarkPosting(posting, bits);
  }
  for (const auto& p : affix_) {
    if (!r.Has(p.field)) continue;
    p.trie.ForEachMatch(r.String(p.field), [&](uint32_t posting) { MarkPosting(posting, bits); });
  }
}

}  // namespace vigil::match
