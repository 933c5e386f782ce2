// A kill decided in the kernel does not depend on the exec event reaching user space. The main
// ring buffer is made smaller than one exec record, so every exec event is lost (and counted as
// a drop); the kernel still kills the process an `action kill` rule names by its execve filename,
// before its first instruction, counts the kill as unreported, and spares other processes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "bpf/events.h"
#include "compile/kernel_plan.h"
#include "kernel/clock.h"
#include "kernel/sensors.h"
#include "kernel/tracefs.h"
#include "tests/e2e/kernel/trace_harness.h"

namespace vigil::e2e {
namespace {

// Runs `path marker` and returns its wait status.
int RunScript(const std::string& path, const std::string& marker) {
  const pid_t pid = fork();
  if (pid == 0) {
    execl(path.c_str(), path.c_str(), marker.c_str(), nullptr);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

void WriteScript(const std::string& path) {
  std::ofstream(path) << "#!/bin/sh\necho started > \"$1\"\n";
  chmod(path.c_str(), 0755);
}

TEST(KernelKill, KillsAtExecEvenWhenTheExecEventIsLost) {
  VIGIL_REQUIRE_BPF();
  static_assert(sizeof(vigil_exec_event) + VIGIL_ARGV_INLINE > 4096,
                "an exec record must not fit in one page");
  TempDir dir;
  const std::string victim = dir / "vigil-e2e-victim", bystander = dir / "vigil-e2e-bystander";
  WriteScript(victim);
  WriteScript(bystander);

  auto clock = kernel::ProbeClock();
  ASSERT_TRUE(clock) << clock.error();
  auto tracefs = kernel::EnsureTracefs();
  ASSERT_TRUE(tracefs) << tracefs.error();
  kernel::SensorOptions options;
  options.clock = clock->source;
  options.tracefs_root = tracefs.value();
  options.proc_info_entries = 8192;
  options.ring_bytes = 4096;  // one page: no exec record fits
  auto loaded = kernel::Sensors::Load(options);
  ASSERT_TRUE(loaded) << loaded.error();
  std::unique_ptr<kernel::Sensors> sensors = std::move(loaded.value());

  compile::KernelPolicyInput policy{"kill", {}, {VIGIL_EVT_EXEC}, false, {}};
  policy.kill_exec.insert({VIGIL_KILL_FILENAME, victim});
  compile::KernelPlanOptions plan_options;
  plan_options.version = 1;
  auto plan = compile::BuildKernelPlan({policy}, plan_options);
  ASSERT_TRUE(plan) << plan.error();
  ASSERT_TRUE(sensors->Apply(*plan));
  ASSERT_TRUE(sensors->Attach());

  const int victim_status = RunScript(victim, dir / "victim.marker");
  const int bystander_status = RunScript(bystander, dir / "bystander.marker");
  const kernel::KernelStats stats = sensors->ReadStats();

  EXPECT_TRUE(WIFSIGNALED(victim_status) && WTERMSIG(victim_status) == SIGKILL)
      << "victim wait status " << victim_status;
  EXPECT_NE(access((dir / "victim.marker").c_str(), F_OK), 0) << "the victim ran its first line";
  EXPECT_TRUE(WIFEXITED(bystander_status) && WEXITSTATUS(bystander_status) == 0);
  EXPECT_EQ(access((dir / "bystander.marker").c_str(), F_OK), 0);
  EXPECT_GE(stats[VIGIL_STAT_DROP_MAIN], 2u) << "both exec events should have been lost";
  EXPECT_EQ(stats[VIGIL_STAT_KILL_UNREPORTED], 1u);
}

}  // namespace
}  // namespace vigil::e2e
