// A test suite whose tests share one `vigil trace`, scoped to the suite's own processes (a comm
// name, followed into children): started once for the suite, its counters checked when the
// suite ends (no malformed line, no decode error, no ring-buffer drop).
// Use: `class KernelX : public SharedTraceSuite<KernelX>` with
// `static void SetUpTestSuite() { Start("vigil-e2e-x", {"--events", ...}); }`.
#pragma once

#include <gtest/gtest.h>
#include <sys/prctl.h>

#include <functional>
#include <string>
#include <vector>

#include "trace_harness.h"

namespace vigil::e2e {

template <class Suite>
class SharedTraceSuite : public ::testing::Test {
 protected:
  // Names this process `comm` (children inherit it) and traces `comm in [COMM] follow` with
  // `args` and JSON output.
  static void Start(const char* comm, std::vector<std::string> args) {
    if (!BpfUnavailableReason().empty()) return;
    prctl(PR_SET_NAME, comm);
    args.insert(args.end(),
                {"--scope", std::string("comm in [") + comm + "] follow", "--format", "json"});
    trace_ = new TraceProcess(args);
    ready_ = trace_->WaitReady();
  }
  // `checks` runs on the stopped trace besides the counters every suite checks.
  static void Stop(const std::function<void(TraceProcess&)>& checks = nullptr) {
    if (trace_) {
      trace_->Stop();
      EXPECT_EQ(trace_->malformed_lines(), 0u);
      auto stats = trace_->stats();
      EXPECT_EQ(stats["decode_errors"], 0u);
      EXPECT_EQ(stats["drops_main"], 0u);
      if (checks) checks(*trace_);
    }
    delete trace_;
    trace_ = nullptr;
  }
  static void TearDownTestSuite() { Stop(); }
  void SetUp() override {
    VIGIL_REQUIRE_BPF();
    ASSERT_TRUE(ready_) << trace_->stderr_text();
  }
  // The event of `type` made by syscall `name` in `pid` (with an optional extra condition).
  static nlohmann::json Syscall(const std::string& type, const std::string& name, pid_t pid,
                                const std::function<bool(const nlohmann::json&)>& extra = nullptr) {
    return trace_->WaitFor([&](const nlohmann::json& e) {
      return e["evt"].value("type", "") == type && e["proc"].value("pid", 0) == pid &&
             e.contains("kernel") && e["kernel"].value("syscall", "") == name &&
             (!extra || extra(e));
    });
  }

  static inline TraceProcess* trace_ = nullptr;
  static inline bool ready_ = false;
};

}  // namespace vigil::e2e
