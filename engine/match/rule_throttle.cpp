#include "match/rule_throttle.h"

#include "match/correlator.h"

namespace vigil::match {

ThrottleVerdict RuleThrottle::Admit(const RuleMatch& m, const EventRecord& r,
                                    std::string_view output) {
  const uint32_t rule = m.rule;
  const CompiledThrottle& t = rules_.rules()[rule].throttle;
  if (!t.active()) return {};
  const uint64_t now = r.Has(lang::FieldId::kEvtTime) ? r.Uint(lang::FieldId::kEvtTime) : 0;
  text_.clear();
  for (lang::FieldId f : t.by) {
    KeyText(r, f, &text_);
    text_ += '\x1f';
  }
  if (t.fold) text_ += output;
  RuleState& st = state_[rule];
  KeyState* k = nullptr;
  if (auto it = st.keys.find(text_); it != st.keys.end()) {
    st.lru.splice(st.lru.begin(), st.lru, it->second);
    k = &*it->second;
  } else {
    if (st.keys.size() >= kThrottleKeys) {
      ++stats_.keys_evicted;
      stats_.suppressed_lost += st.lru.back().suppressed;
      st.keys.erase(st.lru.back().key);
      st.lru.pop_back();
    }
    st.lru.emplace_front();
    k = &st.lru.front();
    k->key = text_;
    k->window_start = now;
    st.keys.emplace(k->key, st.lru.begin());
  }
  if (now > k->window_start && now - k->window_start >= static_cast<uint64_t>(t.per_ns)) {
    k->window_start = now;  // a new window starts with this alert
    k->admitted = 0;
  }
  ThrottleVerdict v;
  if (k->admitted >= t.limit) {
    if (k->suppressed++ == 0) {
      k->first_ns = now;
      k->first_match = m;
      k->first_match.firing = -1;  // the correlator's firings do not outlive the event
      k->first_event = r;
      const uint64_t end = k->window_start + static_cast<uint64_t>(t.per_ns);
      deadlines_.push({end < k->window_start ? UINT64_MAX : end, rule, k->window_start, k->key});
    }
    k->last_ns = now;
    ++stats_.suppressed;
    v.admit = false;
    return v;
  }
  ++k->admitted;
  v.suppressed = k->suppressed;
  v.first_ns = k->first_ns;
  v.last_ns = k->last_ns;
  k->suppressed = 0;
  return v;
}

void RuleThrottle::Expire(uint64_t now_ns, std::vector<Summary>* out) {
  while (!deadlines_.empty() && deadlines_.top().end_ns <= now_ns) {
    const Deadline& d = deadlines_.top();
    RuleState& st = state_[d.rule];
    if (auto it = st.keys.find(d.key); it != st.keys.end()) {
      KeyState& k = *it->second;
      if (k.window_start == d.window_start && k.suppressed > 0) {
        Summary s;
        s.match = k.first_match;
        s.event = std::move(k.first_event);
        s.verdict.suppressed = k.suppressed;
        s.verdict.first_ns = k.first_ns;
        s.verdict.last_ns = k.last_ns;
        s.verdict.summary = true;
        k.suppressed = 0;
        ++stats_.summaries;
        out->push_back(std::move(s));
      }
    }
    deadlines_.pop();
  }
}

uint64_t RuleThrottle::Pending() const {
  uint64_t n = 0;
  for (const auto& st : state_)
    for (const auto& k : st.lru) n += k.suppressed;
  return n;
}

}  // namespace vigil::match
