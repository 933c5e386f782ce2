// Which fields a compiled rule set can read: its conditions (named exceptions included), its
// steps and their joins, correlation keys and `distinct`, throttle keys and output templates.
// The agent fills the costly fields (EventEnricher, "Lazy enrichment" in docs/agent.md) only
// when a loaded rule set reads them.
#pragma once

#include <bitset>

#include "lang/fields.h"
#include "match/rule_set.h"

namespace vigil::runtime {

using FieldSet = std::bitset<lang::kFieldCount>;

// Every field of `rules`, disabled rules included.
FieldSet FieldsRead(const match::RuleSet& rules);

}  // namespace vigil::runtime
