// A realistic, reproducible event mix for the matcher benchmark: mostly opens (shared libraries,
// /proc, config, caches, logs), then execs, connects, forks and exits, and a tail of the rarer
// types, from a handful of familiar programs with plausible ancestry. Also extra rules, so that
// the benchmark runs through at least 50 rules however small the library is.
#pragma once

#include <string>
#include <vector>

#include "match/event_record.h"

namespace vigil::bench {

// `count` records, fully enriched (derived fields set), from a fixed seed.
std::vector<match::EventRecord> MakeEventMix(size_t count, uint64_t seed);

// `count` generated rules (with tag bench_extra and a global policy selecting them; nothing
// for 0), in the shapes real rules use: path prefixes and sets, process-name lists, lineage,
// regexes, globs, ports and address blocks.
std::string MakeExtraRules(size_t count);

}  // namespace vigil::bench
