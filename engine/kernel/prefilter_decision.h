// Header-only (engine/compile uses it, and links no libbpf). The argument prefilter as the kernel
// holds and applies it (bpf/events.h): the map contents
// made from a kernel::Prefilter, and the kernel's decision replayed in user space on those same
// contents, so that a test can run rules with and without the prefilter and compare
// (tests/unit/compile/prefilter_property_test.cpp). bpf/vigil.bpf.c's prefilter_keeps is the
// other implementation of PrefilterKeeps; keep them in step.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "bpf/entity.h"
#include "bpf/events.h"
#include "kernel/kernel_plan.h"

namespace vigil::kernel {

// Whether the kernel can hold `pf`: every exact path under VIGIL_PF_PATH_LEN bytes (its NUL
// included), every prefix at most VIGIL_PF_PATH_LEN, every suffix 1..VIGIL_PF_SUFFIX_MAX bytes,
// at most VIGIL_PF_SUFFIX_LENS distinct suffix lengths, and no string with a NUL. Else why not.
inline std::optional<std::string> PrefilterDoesNotFit(const Prefilter& pf);

// The pf_config entry of `pf` for `version` (active; suffix lengths and last bytes filled in).
inline vigil_pf_config PrefilterConfig(const Prefilter& pf, uint32_t version);

// vigil_path_hash of `s` (bpf/entity.h), as the kernel hashes a suffix.
inline uint64_t SuffixHash(std::string_view s);

// What the kernel knows of an event at entry.
struct PrefilterArgs {
  std::optional<uint64_t> flags;    // open flags; nullopt: not an open call, or unreadable
  std::optional<std::string> path;  // the path argument as read; nullopt: unreadable
};

// The kernel's decision for an event of a type with prefilter `pf` (which fits).
inline bool PrefilterKeeps(const Prefilter& pf, const PrefilterArgs& args);

// ---- definitions ------------------------------------------------------------------------

inline std::optional<std::string> PrefilterDoesNotFit(const Prefilter& pf) {
  auto has_nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
  for (const auto& e : pf.exact) {
    if (e.size() + 1 > VIGIL_PF_PATH_LEN)
      return "the exact path \"" + e + "\" is longer than the kernel's " +
             std::to_string(VIGIL_PF_PATH_LEN - 1) + " bytes";
    if (has_nul(e)) return "a path with a NUL byte";
  }
  for (const auto& p : pf.prefix) {
    if (p.size() > VIGIL_PF_PATH_LEN)
      return "the prefix \"" + p + "\" is longer than the kernel's " +
             std::to_string(VIGIL_PF_PATH_LEN) + " bytes";
    if (has_nul(p)) return "a prefix with a NUL byte";
  }
  std::set<size_t> lengths;
  for (const auto& x : pf.suffix) {
    if (x.empty() || x.size() > VIGIL_PF_SUFFIX_MAX)
      return "the suffix \"" + x + "\" is not 1 to " + std::to_string(VIGIL_PF_SUFFIX_MAX) +
             " bytes";
    if (has_nul(x)) return "a suffix with a NUL byte";
    lengths.insert(x.size());
  }
  if (lengths.size() > VIGIL_PF_SUFFIX_LENS)
    return std::to_string(lengths.size()) + " different suffix lengths (the kernel tries " +
           std::to_string(VIGIL_PF_SUFFIX_LENS) + ")";
  return std::nullopt;
}

inline vigil_pf_config PrefilterConfig(const Prefilter& pf, uint32_t version) {
  vigil_pf_config c{};
  c.version = version;
  c.active = 1;
  c.flag_mask = pf.flag_mask;
  c.paths = pf.exact.empty() && pf.prefix.empty() && pf.suffix.empty() ? 0 : 1;
  std::set<size_t> lengths;
  for (const auto& x : pf.suffix) {
    lengths.insert(x.size());
    const auto last = static_cast<unsigned char>(x.back());
    c.suffix_last[last >> 6] |= uint64_t{1} << (last & 63);
  }
  size_t i = 0;
  for (size_t l : lengths)
    if (i < VIGIL_PF_SUFFIX_LENS) c.suffix_lens[i++] = static_cast<uint8_t>(l);
  // The trie gate (bpf/events.h): the heads of every exact path and prefix.
  c.gate = 1;
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& text : pass == 0 ? pf.exact : pf.prefix) {
      if (text.size() < 4) {
        c.gate = 0;
        continue;
      }
      const bool long_head = text.size() >= 8;
      uint64_t head = 0;
      std::memcpy(&head, text.data(), long_head ? 8 : 4);
      const uint32_t bit = vigil_pf_head_bit(head);
      (long_head ? c.head8 : c.head4)[bit >> 6] |= uint64_t{1} << (bit & 63);
    }
  return c;
}

// Whether the trie gate lets `path` (without its NUL) through to the pf_prefix lookup, as
// prefilter_keeps in bpf/vigil.bpf.c decides it.
inline bool PrefilterGateOpens(const vigil_pf_config& cfg, std::string_view path) {
  if (!cfg.gate) return true;
  if (path.size() >= 8) {
    uint64_t head = 0;
    std::memcpy(&head, path.data(), 8);
    const uint32_t bit = vigil_pf_head_bit(head);
    if (cfg.head8[bit >> 6] & (uint64_t{1} << (bit & 63))) return true;
  }
  if (path.size() >= 4) {
    uint64_t head = 0;
    std::memcpy(&head, path.data(), 4);
    const uint32_t bit = vigil_pf_head_bit(head);
    if (cfg.head4[bit >> 6] & (uint64_t{1} << (bit & 63))) return true;
  }
  return false;
}

inline uint64_t SuffixHash(std::string_view s) {
  uint64_t h = VIGIL_PATH_HASH_SEED;
  for (size_t done = 0; done < s.size(); done += 8) {
    uint64_t word = 0;
    std::memcpy(&word, s.data() + done, std::min<size_t>(8, s.size() - done));
    h = vigil_path_hash_step(h, word);
  }
  return vigil_path_hash_finish(h, s.size());
}

inline bool PrefilterKeeps(const Prefilter& pf, const PrefilterArgs& args) {
  // The same steps, in the same order, as prefilter_keeps in bpf/vigil.bpf.c.
  const vigil_pf_config cfg = PrefilterConfig(pf, 1);
  if (cfg.flag_mask && (!args.flags || (*args.flags & cfg.flag_mask) != 0)) return true;
  if (!cfg.paths) return false;
  if (!args.path) return true;
  // bpf_probe_read_user_str: up to VIGIL_PF_BUF - 1 bytes and a NUL, stopping at the first NUL.
  std::string_view path = *args.path;
  path = path.substr(0, path.find('\0'));
  if (path.size() + 1 >= VIGIL_PF_BUF) return true;
  // The LPM trie: the key is "path NUL" cut to VIGIL_PF_PATH_LEN bytes; an exact entry is
  // "path NUL", a prefix entry the prefix; any entry that is a prefix of the key matches.
  std::string key(path);
  key.push_back('\0');
  key.resize(std::min<size_t>(key.size(), VIGIL_PF_PATH_LEN));
  if (PrefilterGateOpens(cfg, path)) {
    for (const auto& e : pf.exact) {
      std::string entry = e + '\0';
      if (key.compare(0, entry.size(), entry) == 0) return true;
    }
    for (const auto& p : pf.prefix)
      if (key.size() >= p.size() && key.compare(0, p.size(), p) == 0) return true;
  }
  if (path.empty()) return false;
  const auto last = static_cast<unsigned char>(path.back());
  if (!(cfg.suffix_last[last >> 6] & (uint64_t{1} << (last & 63)))) return false;
  std::set<uint64_t> hashes;
  for (const auto& x : pf.suffix) hashes.insert(SuffixHash(x));
  for (uint8_t l : cfg.suffix_lens) {
    if (l == 0) break;
    if (l > path.size()) continue;
    if (hashes.count(SuffixHash(path.substr(path.size() - l)))) return true;
  }
  return false;
}

}  // namespace vigil::kernel
