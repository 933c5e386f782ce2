// The start-up window (issue 13, item 16): a process that starts, or execs another program,
// between the first /proc read and the attach has no event telling of it. The session reads /proc
// again once the programs are attached and holds the events that arrive meanwhile, so each such
// process's first events carry its real context: its executable, not incomplete.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lang/field_table.h"
#include "match/event_record.h"
#include "runtime/event_stream.h"
#include "runtime/session.h"
#include "trace_harness.h"

namespace vigil::e2e {
namespace {

using lang::FieldId;

// Waits until /proc/PID/exe names `exe` (the process has exec'd it).
bool WaitForExe(pid_t pid, const std::string& exe) {
  const std::string link = "/proc/" + std::to_string(pid) + "/exe";
  for (int i = 0; i < 500; ++i) {
    char buf[PATH_MAX];
    const ssize_t n = readlink(link.c_str(), buf, sizeof(buf) - 1);
    if (n > 0 && std::string(buf, static_cast<size_t>(n)) == exe) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

struct Seen {
  uint32_t pid = 0;
  std::string path, exe;
  bool incomplete = false;
};

TEST(KernelStartup, ProcessesStartedOrExecdDuringTheStartHaveTheirContext) {
  VIGIL_REQUIRE_BPF();
  TempDir dir;
  char sh[PATH_MAX];
  ASSERT_NE(realpath("/bin/sh", sh), nullptr);
  const std::string before = dir / "from-the-execd-one", during = dir / "from-the-new-one";
  for (const std::string& path : {before, during})
    close(open(path.c_str(), O_CREAT | O_WRONLY, 0600));
  // Both shells wait for a line on this pipe, then open their file themselves.
  int release[2];
  ASSERT_EQ(pipe2(release, O_CLOEXEC), 0);
  UniqueFd release_read(release[0]), release_write(release[1]);
  auto shell_opening = [&](const std::string& path) {
    dup2(release_read.get(), 0);
    const std::string script = "read x; exec 3<" + path;
    execl("/bin/sh", "sh", "-c", script.c_str(), nullptr);
    return 127;
  };
  // Exists before the first /proc read (as this test program), execs the shell in the window.
  Gate go;
  ChildGuard execd(Spawn([&] {
    go.Pass();
    return shell_opening(before);
  }));
  std::unique_ptr<ChildGuard> fresh;

  auto spec = runtime::TraceSpecFromFlags("exec,open", "");
  ASSERT_TRUE(spec) << spec.error();
  runtime::SessionOptions options;
  bool window_ok = false;
  options.after_seed = [&] {
    go.Open();
    fresh = std::make_unique<ChildGuard>(Spawn([&] { return shell_opening(during); }));
    window_ok = WaitForExe(execd.pid(), sh) && WaitForExe(fresh->pid(), sh);
  };
  auto session = runtime::OpenTraceSession(spec.value(), options);
  ASSERT_TRUE(session) << session.error();
  runtime::Session& s = *session.value();
  std::mutex mu;
  std::vector<Seen> seen;
  match::EventRecord record;
  ASSERT_TRUE(s.Start([&](const kernel::Event& e) {
    if (e.type != VIGIL_EVT_OPEN || (e.strings[0] != before && e.strings[0] != during)) return;
    if (!s.enricher().Fill(e, record)) return;
    std::lock_guard lock(mu);
    seen.push_back(
        {e.pid, e.strings[0], std::string(record.String(FieldId::kProcExe)), record.incomplete()});
  }));
  ASSERT_TRUE(window_ok) << "the shells did not exec in the start-up window";
  release_write.Reset();  // both shells read EOF and open their file
  ASSERT_EQ(execd.Wait(), 0);
  ASSERT_EQ(fresh->Wait(), 0);
  for (int i = 0; i < 300; ++i) {
    {
      std::lock_guard lock(mu);
      if (seen.size() >= 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  s.Stop();
  ASSERT_EQ(seen.size(), 2u);
  for (const Seen& x : seen) {
    EXPECT_EQ(x.pid, static_cast<uint32_t>(x.path == before ? execd.pid() : fresh->pid()));
    EXPECT_EQ(x.exe, sh) << x.path;  // not the test program the first one was at the first read
    EXPECT_FALSE(x.incomplete) << x.path;
  }
  const std::string stats = s.StatsLine();
  EXPECT_NE(stats.find("reconciled_added="), std::string::npos) << stats;
  EXPECT_NE(stats.find("reconciled_images="), std::string::npos) << stats;
}

}  // namespace
}  // namespace vigil::e2e
