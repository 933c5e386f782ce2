// Environment variables at exec through the real `vigil trace`: the kernel reads the selected
// names from the new image's environment (a bounded scan), keeps them verbatim (a hostile value
// with control characters and quotes included), and flags what it could not read whole.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "trace_harness.h"

namespace vigil::e2e {
namespace {

using nlohmann::json;

pid_t ExecWithEnv(std::vector<std::string> env) {
  pid_t pid = Spawn([&] {
    std::vector<char*> envp;
    for (auto& s : env) envp.push_back(s.data());
    envp.push_back(nullptr);
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    execve("/bin/true", argv, envp.data());
    return 127;
  });
  EXPECT_EQ(WaitExit(pid), 0);
  return pid;
}

std::vector<std::string> Strings(const json& a) {
  std::vector<std::string> out;
  if (a.is_array())
    for (const auto& s : a) out.push_back(s.get<std::string>());
  return out;
}

TEST(KernelEnv, SelectedVariablesHostileValuesAndTruncation) {
  VIGIL_REQUIRE_BPF();
  TraceProcess trace({"--events", "exec"});
  TraceProcess custom({"--events", "exec", "--env-names", "VIGIL_E2E_A,LD_PRELOAD"});
  ASSERT_TRUE(trace.WaitReady()) << trace.stderr_text();
  ASSERT_TRUE(custom.WaitReady()) << custom.stderr_text();

  // 1. Selected names among others, a hostile value, a name that only starts like one.
  const std::string hostile = "/tmp/x.so\n\"}],\x1b[31m\\";
  pid_t plain = ExecWithEnv({"PATH=/usr/bin", "LD_PRELOAD=" + hostile, "LD_PRELOADX=no",
                             "HOME=/root", "PYTHONPATH=/opt/evil", "VIGIL_E2E_A=custom"});
  json e = trace.WaitFor(Is("exec", plain));
  ASSERT_FALSE(e.is_null()) << trace.stderr_text();
  EXPECT_EQ(Strings(e["proc"]["env"]),
            (std::vector<std::string>{"LD_PRELOAD=" + hostile, "PYTHONPATH=/opt/evil"}));
  EXPECT_EQ(Strings(e["proc"]["env_names"]),
            (std::vector<std::string>{"LD_PRELOAD", "PYTHONPATH"}));
  EXPECT_EQ(e["proc"]["env_truncated"], false);
  EXPECT_EQ(e["kernel"]["env_truncated"], false);
  // The configured list replaces the defaults.
  json c = custom.WaitFor(Is("exec", plain));
  ASSERT_FALSE(c.is_null()) << custom.stderr_text();
  EXPECT_EQ(Strings(c["proc"]["env"]),
            (std::vector<std::string>{"LD_PRELOAD=" + hostile, "VIGIL_E2E_A=custom"}));

  // 2. A selected value longer than one read: kept cut, flagged.
  const std::string long_value(1000, 'v');
  pid_t cut = ExecWithEnv({"LD_LIBRARY_PATH=" + long_value, "HISTFILE=/dev/null"});
  json l = trace.WaitFor(Is("exec", cut));
  ASSERT_FALSE(l.is_null());
  auto env = Strings(l["proc"]["env"]);
  ASSERT_EQ(env.size(), 2u) << l["proc"].dump();
  EXPECT_EQ(env[0], "LD_LIBRARY_PATH=" + long_value.substr(0, 255 - 16));
  EXPECT_EQ(env[1], "HISTFILE=/dev/null");  // found after the long string
  EXPECT_EQ(l["proc"]["env_truncated"], true);

  // 3. Hidden behind more strings than the scan reads: flagged, not silently missed.
  std::vector<std::string> padded;
  for (int i = 0; i < 1100; ++i) padded.push_back("PAD" + std::to_string(i) + "=x");
  padded.push_back("LD_PRELOAD=/tmp/hidden.so");
  pid_t hidden = ExecWithEnv(padded);
  json h = trace.WaitFor(Is("exec", hidden));
  ASSERT_FALSE(h.is_null());
  EXPECT_EQ(h["proc"]["env_truncated"], true);
  EXPECT_EQ(h["kernel"]["env_truncated"], true);

  // 4. No selected variable: an empty list, which a presence test reads as absent.
  pid_t none = ExecWithEnv({"PATH=/usr/bin"});
  json n = trace.WaitFor(Is("exec", none));
  ASSERT_FALSE(n.is_null());
  EXPECT_TRUE(n["proc"]["env"].is_array() && n["proc"]["env"].empty()) << n["proc"].dump();
  EXPECT_EQ(n["proc"]["env_truncated"], false);
}

}  // namespace
}  // namespace vigil::e2e
