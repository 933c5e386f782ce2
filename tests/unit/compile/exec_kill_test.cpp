// Which exec rules of a kill policy the kernel decides alone (compile/exec_kill.h), and how the
// kernel plan carries them (config bits and kill_exec entries).
#include <gtest/gtest.h>

#include <memory>

#include "compile/exec_kill.h"
#include "compile/kernel_plan.h"
#include "compile/plan_inputs.h"
#include "lang/pipeline.h"

namespace vigil::compile {
namespace {

struct Analyzed {
  lang::Program program;
  lang::Diagnostics diags;
};

std::unique_ptr<Analyzed> Analyze(const std::string& text) {
  auto a = std::make_unique<Analyzed>();
  a->program.sources.Add("k.vgl", text);
  lang::Analyze(a->program, a->diags);
  for (const auto& d : a->diags.all()) EXPECT_NE(d.level, lang::Level::kError) << d.message;
  return a;
}

std::optional<ExecKillCondition> KillOf(const std::string& when, const std::string& on = "exec") {
  auto a = Analyze("list bad = [\"/tmp/x\", \"/tmp/y\"]\nrule r { desc \"d\" severity high on " +
                   on + (when.empty() ? "" : " when " + when) + " }");
  auto it = a->program.rules.find("r");
  EXPECT_NE(it, a->program.rules.end());
  return KernelExecKill(*it->second, a->program);
}

TEST(ExecKill, EqualitiesAndListsOfExePathFilenameAndNameAreDecidedInTheKernel) {
  auto k = KillOf(R"(proc.exe == "/usr/bin/nc")");
  ASSERT_TRUE(k);
  EXPECT_FALSE(k->always);
  ASSERT_EQ(k->equals.size(), 1u);
  EXPECT_EQ(k->equals[0].first, VIGIL_KILL_EXE);
  EXPECT_EQ(k->equals[0].second, "/usr/bin/nc");

  k = KillOf(R"(exec.filename in bad or proc.name in ["xmrig", "minerd"])");
  ASSERT_TRUE(k);
  ASSERT_EQ(k->equals.size(), 4u);
  EXPECT_EQ(k->equals[0], std::make_pair(VIGIL_KILL_FILENAME, std::string("/tmp/x")));
  EXPECT_EQ(k->equals[3], std::make_pair(VIGIL_KILL_COMM, std::string("minerd")));

  k = KillOf("");
  ASSERT_TRUE(k);
  EXPECT_TRUE(k->always);
}

// A named exception is part of the condition: the kernel cannot judge it at exec, so the kill
// stays in user space, where the exception is honoured (a kernel kill would kill excepted
// processes too). Without a `when`, an exception alone keeps it there as well.
TEST(ExecKill, ARuleWithAnExceptionIsNotKilledByTheKernel) {
  EXPECT_TRUE(KillOf(R"(proc.exe == "/usr/bin/nc")"));
  EXPECT_FALSE(KillOf("proc.exe == \"/usr/bin/nc\" exception ok: proc.parent.name in [sshd]"));
  auto a = Analyze("rule r { desc \"d\" severity high on exec exception ok: proc.name in [a] }");
  EXPECT_FALSE(KernelExecKill(*a->program.rules.at("r"), a->program));
}

TEST(ExecKill, EachKillKindNamesTheFieldItIsRecognisedFrom) {
  for (vigil_kill_kind kind : {VIGIL_KILL_EXE, VIGIL_KILL_FILENAME, VIGIL_KILL_COMM}) {
    const std::string field(lang::Field(KillKindField(kind)).name);
    auto k = KillOf(field + R"( == "x")");
    ASSERT_TRUE(k) << field;
    ASSERT_EQ(k->equals.size(), 1u);
    EXPECT_EQ(k->equals[0].first, kind) << field;
  }
}

TEST(ExecKill, AnythingElseIsLeftToUserSpace) {
  EXPECT_FALSE(KillOf(R"(proc.exe startswith "/tmp/")"));
  EXPECT_FALSE(KillOf(R"(proc.exe == "/usr/bin/nc" and proc.uid == 0)"));
  EXPECT_FALSE(KillOf(R"(proc.name != "sh")"));
  EXPECT_FALSE(KillOf(R"(proc.exe == "/usr/bin/nc" or proc.uid == 0)"));
  EXPECT_FALSE(KillOf(R"(proc.name == "a-name-longer-than-15")"));
  EXPECT_FALSE(KillOf(R"(proc.parent.name == "bash")"));
  EXPECT_FALSE(KillOf(R"(file.path == "/etc/shadow")", "open"));
}

TEST(ExecKill, OnlyKillPoliciesPutEntriesInThePlan) {
  auto a = Analyze(R"(
rule miner { desc "d" severity high tags [k] on exec when proc.name in ["xmrig"] or proc.exe == "/tmp/m" }
rule nc { desc "d" severity high tags [k] on exec when proc.cmdline contains "-e" }
rule any { desc "d" severity high tags [a] on exec }
policy kill_miners { rules [tag:k] action kill }
policy watch { rules [tag:k, tag:a] }
policy kill_all { rules [tag:a] action kill }
)");
  const auto inputs = KernelPolicyInputs(a->program);
  ASSERT_EQ(inputs.size(), 3u);
  auto built = BuildKernelPlan(inputs, {});
  ASSERT_TRUE(built) << built.error();
  const kernel::KernelPlan& plan = *built;
  EXPECT_EQ(plan.config->kill_exec, 0b101u);
  EXPECT_EQ(plan.config->kill_exec_any, 0b100u);
  ASSERT_EQ(plan.kill_exec.size(), 2u);
  EXPECT_EQ(plan.kill_exec.at({VIGIL_KILL_COMM, PathHash("xmrig")}), 0b001u);
  EXPECT_EQ(plan.kill_exec.at({VIGIL_KILL_EXE, PathHash("/tmp/m")}), 0b001u);
}

}  // namespace
}  // namespace vigil::compile
