#include "agent/reloader.h"

#include "agent/policy_files.h"
#include "compile/rule_compiler.h"
#include "lang/pipeline.h"
#include "output/lint_report.h"

namespace vigil::agent {

Reloader::Reloader(std::vector<std::string> paths, bool check_permissions, Activate activate)
    : paths_(std::move(paths)),
      check_permissions_(check_permissions),
      activate_(std::move(activate)) {}

ReloadOutcome Reloader::Reload(const std::string& trigger) {
  auto start = std::chrono::steady_clock::now();
  ReloadOutcome out;
  out.trigger = trigger;
  auto program = std::make_shared<lang::Program>();
  for (const auto& e : lang::LoadSources(paths_, *program))
    out.errors.push_back(e.path + ": " + e.message);
  if (out.errors.empty() && check_permissions_) {
    std::vector<std::string> files;
    for (uint32_t i = 0; i < program->sources.size(); ++i)
      files.push_back(program->sources.file(i).path);
    for (const auto& p : CheckPolicyPermissions(files))
      out.errors.push_back(p.path + ": refusing to load: it " + p.reason +
                           " (fix the permissions, or run with --allow-insecure-perms)");
  }
  if (out.errors.empty()) {
    lang::Diagnostics diags;
    program->disabled = disabled_;
    lang::Analyze(*program, diags);
    out.errors = output::ErrorLines(program->sources, diags);
    for (const auto& u : program->disabled_unmatched)
      out.errors.push_back(
          (u.rfind("tag:", 0) == 0 ? "--disable-tag " + u.substr(4) : "--disable-rule " + u) +
          ": no loaded rule has this " + (u.rfind("tag:", 0) == 0 ? "tag" : "name"));
  }
  std::unique_lock lock(mu_);
  uint32_t next = version_ + 1;
  lock.unlock();
  if (out.errors.empty()) {
    if (auto activated = activate_(program, next); !activated)
      out.errors.push_back(activated.error());
  }
  lock.lock();
  out.ok = out.errors.empty();
  if (out.ok) {
    version_ = next;
    active_ = program;
    ++reloads_ok_;
  } else {
    ++reloads_failed_;
  }
  out.version = version_;
  out.latency_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  last_ = out;
  if (!out.ok) last_failure_ = out;
  return out;
}

std::shared_ptr<const lang::Program> Reloader::active() const {
  std::lock_guard lock(mu_);
  return active_;
}

Reloader::Counts Reloader::counts() const {
  std::lock_guard lock(mu_);
  return {version_, reloads_ok_, reloads_failed_};
}

nlohmann::json Reloader::Status() const {
  std::lock_guard lock(mu_);
  nlohmann::json policies = nlohmann::json::array();
  if (active_) {
    for (const auto& p : active_->policies) {
      nlohmann::json rules = nlohmann::json::array();
      for (const auto* r : p.rules) rules.push_back(r->name);
      policies.push_back({{"name", p.decl->name},
                          {"slot", p.index},
                          {"version", version_},
                          {"state", "active"},
                          {"action", p.decl->action == lang::ast::Action::kKill ? "kill" : "alert"},
                          {"rules", rules}});
    }
    if (active_->policies.empty()) {
      // No policy declared: the rule compiler's implicit global policy selects every enabled
      // rule (compile::RuleCompileOptions::implicit_policy), so that is what runs.
      nlohmann::json rules = nlohmann::json::array();
      for (const auto* r : active_->rule_order)
        if (r->enabled) rules.push_back(r->name);
      policies.push_back({{"name", compile::kImplicitPolicyName},
                          {"implicit", true},
                          {"slot", 0},
                          {"version", version_},
                          {"state", "active"},
                          {"action", "alert"},
                          {"rules", rules}});
    }
  }
  auto outcome = [](const ReloadOutcome& o) {
    return nlohmann::json{{"ok", o.ok},
                          {"trigger", o.trigger},
                          {"version", o.version},
                          {"errors", o.errors},
                          {"latency_ms", o.latency_ms}};
  };
  nlohmann::json j = {{"version", version_},
                      {"paths", paths_},
                      {"policies", policies},
                      {"reloads", {{"ok", reloads_ok_}, {"failed", reloads_failed_}}},
                      {"last_reload", outcome(last_)}};
  if (reloads_failed_ > 0) j["last_failure"] = outcome(last_failure_);
  return j;
}

}  // namespace vigil::agent
