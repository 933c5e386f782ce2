// What a kernel without some syscall tracepoints leaves unseen (runtime/visibility.h), against a
// fake tracefs tree: the answer `vigil compile --explain` prints and the agent logs.
#include "runtime/visibility.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "bpf/events.h"

namespace vigil::runtime {
namespace {

namespace fs = std::filesystem;

class FakeTracefs : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        fs::temp_directory_path() /
        ("vigil-visibility-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "events" / "syscalls");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Tracepoints(const std::string& syscall) {
    fs::create_directories(root_ / "events" / "syscalls" / ("sys_enter_" + syscall));
    fs::create_directories(root_ / "events" / "syscalls" / ("sys_exit_" + syscall));
  }
  fs::path root_;
};

TEST_F(FakeTracefs, ModuleLoadWithoutTracepointsIsReported) {
  for (const char* sc : {"open", "openat", "openat2", "creat"}) Tracepoints(sc);
  auto unseen = SyscallsWithoutTracepoint({VIGIL_EVT_OPEN, VIGIL_EVT_MODULE_LOAD}, root_);
  ASSERT_TRUE(unseen.ok()) << unseen.error();
  ASSERT_EQ(unseen->size(), 1u);
  ASSERT_EQ(unseen->count(VIGIL_EVT_MODULE_LOAD), 1u);
  EXPECT_EQ(unseen->at(VIGIL_EVT_MODULE_LOAD),
            (std::vector<std::string>{"init_module", "finit_module"}));
}

TEST_F(FakeTracefs, EverySyscallWithTracepointsLeavesNothingUnseen) {
  for (const char* sc : {"init_module", "finit_module"}) Tracepoints(sc);
  auto unseen = SyscallsWithoutTracepoint({VIGIL_EVT_MODULE_LOAD}, root_);
  ASSERT_TRUE(unseen.ok()) << unseen.error();
  EXPECT_TRUE(unseen->empty());
}

TEST_F(FakeTracefs, AnEnterWithoutItsExitIsNotEnough) {
  fs::create_directories(root_ / "events" / "syscalls" / "sys_enter_finit_module");
  Tracepoints("init_module");
  auto unseen = SyscallsWithoutTracepoint({VIGIL_EVT_MODULE_LOAD}, root_);
  ASSERT_TRUE(unseen.ok());
  EXPECT_EQ(unseen->at(VIGIL_EVT_MODULE_LOAD), (std::vector<std::string>{"finit_module"}));
}

TEST(Visibility, UnreadableTracefsIsAnErrorNotAClaim) {
  auto unseen = SyscallsWithoutTracepoint({VIGIL_EVT_MODULE_LOAD}, "/nonexistent-tracefs");
  EXPECT_FALSE(unseen.ok());
}

}  // namespace
}  // namespace vigil::runtime
