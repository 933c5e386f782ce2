#include "proctree/runtime_state.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "proctree/metadata_source.h"

namespace vigil::proctree {
namespace {

namespace fs = std::filesystem;

class RuntimeStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("vigil-runtime-state-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    roots_.runc = {(root_ / "runc").string()};
    roots_.containerd = {(root_ / "containerd").string()};
    roots_.crio = {(root_ / "crio").string()};
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  fs::path root_;
  RuntimeStateRoots roots_;
};

TEST_F(RuntimeStateTest, ContainerdTaskDirectory) {
  Write(
      root_ / "containerd/k8s.io/abc/config.json",
      R"({"annotations":{"io.kubernetes.cri.sandbox-name":"api-1","io.kubernetes.cri.sandbox-namespace":"prod"}})");
  std::string runtime;
  Result<PodMetadata> pod = ReadPodMetadata(roots_, "abc", &runtime);
  ASSERT_TRUE(pod) << pod.error();
  EXPECT_EQ(runtime, "containerd");
  EXPECT_EQ(pod->pod_name, "api-1");
  EXPECT_EQ(pod->pod_namespace, "prod");
}

TEST_F(RuntimeStateTest, CrioUserdata) {
  Write(
      root_ / "crio/def/userdata/config.json",
      R"({"annotations":{"io.kubernetes.pod.name":"db-0","io.kubernetes.pod.namespace":"data"}})");
  std::string runtime;
  Result<PodMetadata> pod = ReadPodMetadata(roots_, "def", &runtime);
  ASSERT_TRUE(pod) << pod.error();
  EXPECT_EQ(runtime, "cri-o");
  EXPECT_EQ(pod->pod_name, "db-0");
}

TEST_F(RuntimeStateTest, RuncStateWithBundleLabel) {
  // runc 1.1 keeps the bundle as a "bundle=" label and copies annotations into the labels.
  fs::path bundle = root_ / "bundle";
  Write(
      bundle / "config.json",
      R"({"annotations":{"io.kubernetes.pod.name":"from-config","io.kubernetes.pod.namespace":"ns1"}})");
  Write(
      root_ / "runc/web/state.json",
      R"({"id":"web","init_process_pid":42,"config":{"labels":["io.kubernetes.pod.name=from-label","bundle=)" +
          bundle.string() + R"("]}})");
  std::string runtime;
  Result<PodMetadata> pod = ReadPodMetadata(roots_, "web", &runtime);
  ASSERT_TRUE(pod) << pod.error();
  EXPECT_EQ(runtime, "runc");
  EXPECT_EQ(pod->pod_name, "from-config");
  EXPECT_TRUE(HasRuncState(roots_, "web"));
}

TEST_F(RuntimeStateTest, RuncStateLabelsWhenBundleIsGone) {
  Write(
      root_ / "runc/job/state.json",
      R"({"config":{"labels":["io.kubernetes.pod.name=batch-1","io.kubernetes.pod.namespace=jobs","bundle=/nonexistent"]}})");
  Result<PodMetadata> pod = ReadPodMetadata(roots_, "job", nullptr);
  ASSERT_TRUE(pod) << pod.error();
  EXPECT_EQ(pod->pod_name, "batch-1");
  EXPECT_EQ(pod->pod_namespace, "jobs");
}

TEST_F(RuntimeStateTest, TopLevelBundleField) {
  fs::path bundle = root_ / "b2";
  Write(bundle / "config.json", R"({"annotations":{"io.kubernetes.pod.name":"top"}})");
  Write(root_ / "runc/c2/state.json", R"({"bundle":")" + bundle.string() + R"("})");
  Result<PodMetadata> pod = ReadPodMetadata(roots_, "c2", nullptr);
  ASSERT_TRUE(pod) << pod.error();
  EXPECT_EQ(pod->pod_name, "top");
}

TEST_F(RuntimeStateTest, UnknownAndUnsafeIds) {
  EXPECT_FALSE(ReadPodMetadata(roots_, "missing", nullptr));
  EXPECT_FALSE(ReadPodMetadata(roots_, "../etc", nullptr));
  EXPECT_FALSE(ReadPodMetadata(roots_, "..", nullptr));
  EXPECT_FALSE(ReadPodMetadata(roots_, "", nullptr));
  EXPECT_FALSE(HasRuncState(roots_, "../runc"));
  EXPECT_FALSE(IsSafeContainerId("a/b"));
  EXPECT_TRUE(IsSafeContainerId("3f4b_x-1.2"));
}

TEST_F(RuntimeStateTest, MalformedStateIsAnError) {
  Write(root_ / "runc/bad/state.json", "{not json");
  EXPECT_FALSE(ReadPodMetadata(roots_, "bad", nullptr));
  EXPECT_FALSE(ParseRuncState("[]"));
  auto state = ParseRuncState(R"({"config":{"labels":[1,"novalue","k=v=w"]}})");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->labels.at("k"), "v=w");
  EXPECT_EQ(state->labels.size(), 1u);
}

TEST_F(RuntimeStateTest, StandaloneRuncCgroupNamedAfterTheId) {
  // runc without a cgroupsPath puts the container in /<id> on every hierarchy.
  Write(root_ / "runc/ptprobe/state.json", R"({"config":{"labels":[]}})");
  ProcMetadataSource source("/proc", roots_);
  CgroupPlacement placement = source.Place("9:name=systemd:/ptprobe\n0::/ptprobe\n");
  EXPECT_EQ(placement.path, "/ptprobe");
  EXPECT_EQ(placement.container.id, "ptprobe");
  EXPECT_EQ(placement.container.runtime, "runc");
  CgroupPlacement host = source.Place("0::/system.slice/ssh.service\n");
  EXPECT_FALSE(host.container.in_container());
}

}  // namespace
}  // namespace vigil::proctree
