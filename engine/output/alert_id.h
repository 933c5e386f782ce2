// Alert ids: one unique id per alert, in the form of a version 4 UUID, so that a SIEM can
// deduplicate alerts that reach it twice (a webhook retried after a lost answer, a Kafka
// producer's retry). The agent seeds the generator from the kernel's random source at start, so
// ids of different runs and hosts do not collide; `vigil replay` seeds it with a constant, so a
// replay gives the same ids every time (docs/alerts.md, "Alert ids").
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace vigil::output {

class AlertIdGenerator {
 public:
  // Seeded from getrandom(2); falls back to the clock and the pid if that fails.
  static AlertIdGenerator Random();
  // The same seed gives the same sequence of ids (replay).
  static AlertIdGenerator Fixed(uint64_t seed);

  AlertIdGenerator(const AlertIdGenerator& other) : seed_(other.seed_), next_(other.next_.load()) {}

  // "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" (lower case, y in 8..b). Thread-safe. The 122 free
  // bits are a mix of the seed and a sequence number, so two ids collide no more often than
  // two random UUIDs do.
  std::string Next();

 private:
  explicit AlertIdGenerator(std::array<uint64_t, 2> seed) : seed_(seed) {}
  std::array<uint64_t, 2> seed_;
  std::atomic<uint64_t> next_{0};
};

}  // namespace vigil::output
