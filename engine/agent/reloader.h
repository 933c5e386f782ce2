// Loads a policy set, and loads it again on request (SIGHUP, `vigil reload`, a file change),
// without ever leaving the agent with a broken set: the new set is read, linted and
// permission-checked as a whole first; on any error the running set stays active and the
// failure, with its findings at file:line:col, is kept for `vigil status`.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lang/program.h"
#include "util/result.h"

namespace vigil::agent {

struct ReloadOutcome {
  bool ok = false;
  uint32_t version = 0;             // the active version afterwards
  std::string trigger;              // "start", "SIGHUP", "control socket", "file change"
  std::vector<std::string> errors;  // "rules/x.vgl:3:8: error[V002]: unknown field ..."
  double latency_ms = 0;            // from the trigger to the new set being active
};

class Reloader {
 public:
  // Makes a checked program active in the engine (compile, write kernel maps, flip the version,
  // switch matchers). On failure the engine must still be running the previous version.
  using Activate =
      std::function<vigil::Status(std::shared_ptr<const lang::Program> program, uint32_t version)>;

  Reloader(std::vector<std::string> paths, bool check_permissions, Activate activate);

  ReloadOutcome Reload(const std::string& trigger);

  // Rules every load disables (`vigil run --disable-rule/--disable-tag`); a name or tag that
  // matches no loaded rule fails the load, so a typo cannot leave a rule running.
  void SetDisabledRules(lang::RuleSelection disabled) { disabled_ = std::move(disabled); }

  // Snapshot for `vigil status`: active version, its policies, reload counts, last failure.
  nlohmann::json Status() const;
  std::shared_ptr<const lang::Program> active() const;
  struct Counts {
    uint32_t version = 0;
    uint64_t ok = 0, failed = 0;
  };
  Counts counts() const;
  const std::vector<std::string>& paths() const { return paths_; }

 private:
  std::vector<std::string> paths_;
  bool check_permissions_;
  Activate activate_;
  lang::RuleSelection disabled_;
  mutable std::mutex mu_;
  std::shared_ptr<const lang::Program> active_;
  uint32_t version_ = 0;
  uint64_t reloads_ok_ = 0;
  uint64_t reloads_failed_ = 0;
  ReloadOutcome last_;
  ReloadOutcome last_failure_;
};

}  // namespace vigil::agent
