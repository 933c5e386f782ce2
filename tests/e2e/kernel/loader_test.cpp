// The loader skips a program the running kernel rejects, says so, and runs everything else. The
// rejection is real: the test replaces one program's instructions with code the verifier refuses
// (its final exit instruction removed) before loading, through SensorOptions::before_load.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bpf/events.h"
#include "runtime/event_stream.h"
#include "tests/e2e/kernel/trace_harness.h"

namespace vigil::e2e {
namespace {

// Turns the program's first instruction into `r0 = r9`: at entry r9 holds nothing, and the
// verifier refuses to read an uninitialised register. Only an ALU instruction is replaced (no
// libbpf relocation points at one), and the instruction count stays the same.
void MakeUnverifiable(bpf_object* obj, const char* program) {
  bpf_program* prog = bpf_object__find_program_by_name(obj, program);
  ASSERT_NE(prog, nullptr) << program;
  const size_t n = bpf_program__insn_cnt(prog);
  ASSERT_GT(n, 0u);
  std::vector<bpf_insn> insns(bpf_program__insns(prog), bpf_program__insns(prog) + n);
  const uint8_t cls = BPF_CLASS(insns[0].code);
  ASSERT_TRUE(cls == BPF_ALU64 || cls == BPF_ALU) << "first instruction code " << +insns[0].code;
  insns[0] = bpf_insn{BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_9, 0, 0};
  ASSERT_EQ(bpf_program__set_insns(prog, insns.data(), insns.size()), 0);
}

struct Collected {
  std::mutex mu;
  std::vector<kernel::Event> events;
  bool Has(uint16_t type, const std::string& path) {
    std::lock_guard<std::mutex> lock(mu);
    return std::any_of(events.begin(), events.end(), [&](const kernel::Event& e) {
      return e.type == type && e.strings[0] == path;
    });
  }
};

TEST(KernelLoader, SkipsAProgramTheVerifierRejectsAndRunsTheRest) {
  VIGIL_REQUIRE_BPF();
  const std::string dir = "/tmp/vigil-e2e-loader-" + std::to_string(getpid());
  const std::string opened = dir + "/opened", removed = dir + "/removed";
  ASSERT_EQ(system(("rm -rf " + dir + " && mkdir -p " + dir).c_str()), 0);
  struct Cleanup {
    std::string dir;
    ~Cleanup() { (void)!system(("rm -rf " + dir).c_str()); }
  } cleanup{dir};

  runtime::TraceSpec spec;
  spec.event_types = {VIGIL_EVT_OPEN, VIGIL_EVT_UNLINK};
  runtime::SessionOptions options;
  options.process_tree = false;
  options.proc_info_entries = 8192;
  options.ring_bytes = 1u << 20;
  options.before_load = [](bpf_object* obj) { MakeUnverifiable(obj, "enter_unlinkat"); };
  Collected got;
  auto opened_session = runtime::OpenTraceSession(spec, options);
  ASSERT_TRUE(opened_session) << opened_session.error();
  std::unique_ptr<runtime::Session> tracer = std::move(opened_session.value());
  auto started = tracer->Start([&](const kernel::Event& e) {
    std::lock_guard<std::mutex> lock(got.mu);
    got.events.push_back(e);
  });
  ASSERT_TRUE(started) << started.error();

  const auto& skipped = tracer->sensors().skipped_programs();
  EXPECT_NE(std::find(skipped.begin(), skipped.end(), "enter_unlinkat (rejected by this kernel)"),
            skipped.end())
      << "skipped programs: " << skipped.size();
  EXPECT_GT(tracer->sensors().attached_programs(), 3u);

  // The other programs still deliver: open through openat, unlink through the unlink syscall.
  close(open(opened.c_str(), O_CREAT | O_WRONLY, 0600));
  ASSERT_EQ(syscall(SYS_unlink, opened.c_str()), 0);
  close(open(removed.c_str(), O_CREAT | O_WRONLY, 0600));
  ASSERT_EQ(syscall(SYS_unlinkat, AT_FDCWD, removed.c_str(), 0), 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline &&
         !(got.Has(VIGIL_EVT_OPEN, opened) && got.Has(VIGIL_EVT_UNLINK, opened)))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // unlinkat's exit comes after open's and unlink's: give a stray unlinkat event time to arrive.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  tracer->Stop();
  EXPECT_TRUE(got.Has(VIGIL_EVT_OPEN, opened));
  EXPECT_TRUE(got.Has(VIGIL_EVT_UNLINK, opened));
  EXPECT_FALSE(got.Has(VIGIL_EVT_UNLINK, removed)) << "unlinkat was rejected, yet reported";
}

}  // namespace
}  // namespace vigil::e2e
