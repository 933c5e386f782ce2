#include "match/correlator.h"

#include <algorithm>
#include <functional>

#include "match/field_text.h"

namespace vigil::match {
namespace {

using Kind = CompiledCorrelation::Kind;
constexpr char kKeySeparator = '\x1f';

uint64_t TimeOf(const EventRecord& r) {
  return r.Has(lang::FieldId::kEvtTime) ? r.Uint(lang::FieldId::kEvtTime) : 0;
}

// `then` is older than `now` by more than the window (events out of order are not old).
bool Older(uint64_t then, uint64_t now, int64_t within_ns) {
  return now > then && now - then > static_cast<uint64_t>(within_ns);
}

}  // namespace

void KeyText(const EventRecord& r, lang::FieldId field, std::string* out) {
  if (r.Has(field)) AppendFieldText(r, field, -1, out);
}

Correlator::Correlator(const RuleSet& rules) : rules_(rules), state_(rules.rules().size()) {
  for (size_t i = 0; i < rules.rules().size(); ++i) {
    const CompiledCorrelation& c = rules.rules()[i].correlation;
    if (!c.active()) continue;
    auto& captures = state_[i].captures;
    captures.resize(std::max<size_t>(c.steps.size(), 1));
    for (const auto& st : c.steps)
      for (const auto& j : st.joins) {
        auto& list = captures.at(j.step);
        if (std::find(list.begin(), list.end(), j.step_field) == list.end())
          list.push_back(j.step_field);
      }
  }
}

void Correlator::Judge(std::vector<RuleMatch>& matches, const EventRecord& r) {
  firings_.clear();
  if (!rules_.HasCorrelations() || matches.empty()) return;
  kept_.clear();
  for (size_t i = 0; i < matches.size();) {
    const RuleMatch& m = matches[i];
    if (!rules_.rules()[m.rule].correlation.active()) {
      kept_.push_back(m);
      ++i;
      continue;
    }
    // The matches of one rule's steps are adjacent (the index lists a rule's steps together).
    steps_.clear();
    uint64_t policies = 0;
    size_t j = i;
    for (; j < matches.size() && matches[j].rule == m.rule; ++j) {
      steps_.push_back(matches[j].step);
      policies |= matches[j].policies;
    }
    // Later steps first, so that an event does not advance a sequence it starts itself.
    std::sort(steps_.begin(), steps_.end(), std::greater<>());
    if (Feed(m.rule, steps_, r)) {
      RuleMatch fired = m;
      fired.policies = policies;
      fired.step = steps_.front();
      fired.firing = static_cast<int32_t>(firings_.size() - 1);
      kept_.push_back(fired);
    }
    i = j;
  }
  matches.swap(kept_);
}

void Correlator::Forget(uint32_t rule) {
  RuleState& st = state_[rule];
  stats_.keys_live -= st.lru.size();
  st.keys.clear();
  st.lru.clear();
  firings_.clear();
}

Correlator::KeyState& Correlator::Touch(RuleState& st, const CompiledCorrelation& c, uint64_t now,
                                        const EventRecord& r) {
  // Keys whose last event is older than the window hold nothing that can still fire.
  while (!st.lru.empty() && Older(st.lru.back().last_ns, now, c.within_ns)) {
    ForgetLeastRecent(st);
    ++stats_.keys_expired;
    --stats_.keys_live;
  }
  text_.clear();
  for (size_t i = 0; i < c.by.size(); ++i) {
    if (i) text_ += kKeySeparator;
    KeyText(r, c.by[i], &text_);
  }
  auto it = st.keys.find(std::string_view(text_));
  if (it != st.keys.end()) {
    st.lru.splice(st.lru.begin(), st.lru, it->second);
    KeyState& k = *it->second;
    k.last_ns = std::max(k.last_ns, now);
    return k;
  }
  if (st.keys.size() >= c.max_keys && !st.lru.empty()) {
    ForgetLeastRecent(st);
    ++stats_.keys_evicted;
    --stats_.keys_live;
  }
  if (st.spare.empty()) st.spare.emplace_front();
  st.lru.splice(st.lru.begin(), st.spare, st.spare.begin());
  KeyState& k = st.lru.front();
  k.key = text_;
  k.last_ns = now;
  if (st.spare_nodes.empty()) {
    st.keys.emplace(k.key, st.lru.begin());
  } else {
    KeyMap::node_type node = std::move(st.spare_nodes.back());
    st.spare_nodes.pop_back();
    node.key() = text_;
    node.mapped() = st.lru.begin();
    st.keys.insert(std::move(node));
  }
  ++stats_.keys_live;
  return k;
}

void Correlator::ForgetLeastRecent(RuleState& st) {
  KeyState& k = st.lru.back();
  st.spare_nodes.push_back(st.keys.extract(k.key));
  // Emptied, keeping what the buffers hold: the next key starts with nothing.
  k.last_ns = 0;
  k.held.clear();
  k.partials.clear();
  k.slots.clear();
  k.seen.clear();
  st.spare.splice(st.spare.begin(), st.lru, std::prev(st.lru.end()));
}

bool Correlator::Feed(uint32_t rule, const std::vector<uint16_t>& steps, const EventRecord& r) {
  const CompiledCorrelation& c = rules_.rules()[rule].correlation;
  RuleState& st = state_[rule];
  const uint64_t now = TimeOf(r);
  KeyState& k = Touch(st, c, now, r);
  Contribution ev;
  ev.time_ns = now;
  ev.pid = r.Has(lang::FieldId::kProcPid) ? r.Int(lang::FieldId::kProcPid) : 0;
  if (r.Has(lang::FieldId::kProcName)) ev.name = r.String(lang::FieldId::kProcName);
  Firing out;
  bool fired = false;
  switch (c.kind) {
    case Kind::kCount:
      fired = FeedCount(c, k, ev, r, &out);
      break;
    case Kind::kSequence:
      fired = FeedSequence(c, st, k, steps, ev, r, &out);
      break;
    case Kind::kAnyOrder:
      fired = FeedAnyOrder(c, k, steps, ev, &out);
      break;
    case Kind::kNone:
      break;
  }
  if (!fired) return false;
  out.rule = rule;
  size_t start = 0;
  for (size_t i = 0; i < c.by.size(); ++i) {
    size_t end = i + 1 < c.by.size() ? k.key.find(kKeySeparator, start) : k.key.size();
    out.key.push_back(k.key.substr(start, end - start));
    start = end + 1;
  }
  ++stats_.fired;
  firings_.push_back(std::move(out));
  return true;
}

bool Correlator::FeedCount(const CompiledCorrelation& c, KeyState& k, const Contribution& ev,
                           const EventRecord& r, Firing* out) {
  // Oldest first: what left the window is at the front (an event out of order is kept until
  // the ones before it leave).
  while (!k.held.empty() && Older(k.held.front().c.time_ns, ev.time_ns, c.within_ns))
    k.held.pop_front();
  Held h{ev, {}};
  if (c.distinct) {
    KeyText(r, *c.distinct, &h.distinct);
    h.distinct_hash = std::hash<std::string>{}(h.distinct);
    // A value seen again counts once: its newest event stands for it.
    std::erase_if(k.held, [&](const Held& o) {
      return o.distinct_hash == h.distinct_hash && o.distinct == h.distinct;
    });
  }
  k.held.push_back(std::move(h));
  if (k.held.size() < static_cast<size_t>(c.count)) return false;
  for (auto& held : k.held) out->events.push_back(std::move(held.c));
  k.held.clear();
  return true;
}

bool Correlator::FeedSequence(const CompiledCorrelation& c, const RuleState& st, KeyState& k,
                              const std::vector<uint16_t>& steps, const Contribution& ev,
                              const EventRecord& r, Firing* out) {
  std::erase_if(k.partials,
                [&](const Partial& p) { return Older(p.start_ns, ev.time_ns, c.within_ns); });
  auto capture = [&](Partial& p, uint16_t step) {
    for (lang::FieldId f : st.captures[step]) {
      std::string v;
      KeyText(r, f, &v);
      p.captured.push_back({{step, f}, std::move(v)});
    }
  };
  auto joins_hold = [&](const Partial& p, uint16_t step) {
    for (const auto& j : c.steps[step].joins) {
      if (!r.Has(j.field)) return false;
      text_.clear();
      KeyText(r, j.field, &text_);
      bool equal = false;
      for (const auto& [at, value] : p.captured)
        if (at.first == j.step && at.second == j.step_field) equal = value == text_;
      if (!equal) return false;
    }
    return true;
  };
  bool fired = false;
  for (uint16_t s : steps) {
    Contribution mine = ev;
    mine.step = s;
    if (s == 0) {
      if (k.partials.size() >= c.max_pending) {
        k.partials.erase(k.partials.begin());
        ++stats_.pending_evicted;
      }
      Partial p;
      p.next = 1;
      p.start_ns = ev.time_ns;
      p.events.push_back(std::move(mine));
      capture(p, 0);
      k.partials.push_back(std::move(p));
      continue;
    }
    for (auto it = k.partials.begin(); it != k.partials.end(); ++it) {
      if (it->next != s || !joins_hold(*it, s)) continue;
      it->events.push_back(std::move(mine));
      capture(*it, s);
      if (++it->next == c.steps.size()) {
        if (!fired) out->events = std::move(it->events);
        fired = true;
        k.partials.erase(it);
      }
      break;
    }
  }
  return fired;
}

bool Correlator::FeedAnyOrder(const CompiledCorrelation& c, KeyState& k,
                              const std::vector<uint16_t>& steps, const Contribution& ev,
                              Firing* out) {
  if (k.slots.size() != c.steps.size()) {
    k.slots.assign(c.steps.size(), {});
    k.seen.assign(c.steps.size(), false);
  }
  for (size_t i = 0; i < k.slots.size(); ++i)
    if (k.seen[i] && Older(k.slots[i].time_ns, ev.time_ns, c.within_ns)) k.seen[i] = false;
  for (uint16_t s : steps) {
    k.slots[s] = ev;
    k.slots[s].step = s;
    k.seen[s] = true;
  }
  for (bool b : k.seen)
    if (!b) return false;
  out->events = k.slots;
  std::stable_sort(
      out->events.begin(), out->events.end(),
      [](const Contribution& a, const Contribution& b) { return a.time_ns < b.time_ns; });
  k.seen.assign(k.seen.size(), false);
  return true;
}

}  // namespace vigil::match
