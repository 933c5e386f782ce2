#include "proctree/container_id.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::proctree {
namespace {

const std::string kId = "3f4b2c1d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c";
const std::string kPodDash = "8a1f0c3e-2b4d-4e6f-9a8b-7c6d5e4f3a2b";
const std::string kPodUnderscore = "8a1f0c3e_2b4d_4e6f_9a8b_7c6d5e4f3a2b";

struct Case {
  std::string name;
  std::string path;
  ContainerIdentity want;
};

std::vector<Case> Cases() {
  return {
      // host processes
      {"root", "/", {}},
      {"systemd_service", "/system.slice/ssh.service", {}},
      {"user_session", "/user.slice/user-1000.slice/session-3.scope", {}},
      {"short_hex_is_not_an_id", "/process_api/c566ce01a698607d0c94a68fcf561345/ptprobe", {}},
      // docker
      {"docker_cgroupfs_v1", "/docker/" + kId, {kId, "docker", "", ""}},
      {"docker_systemd", "/system.slice/docker-" + kId + ".scope", {kId, "docker", "", ""}},
      {"docker_in_docker_innermost",
       "/docker/" + std::string(64, 'a') + "/docker/" + kId,
       {kId, "docker", "", ""}},
      // kubernetes, cgroupfs driver (v1 and v2 look alike)
      {"kubepods_burstable_cgroupfs",
       "/kubepods/burstable/pod" + kPodDash + "/" + kId,
       {kId, "", kPodDash, "burstable"}},
      {"kubepods_besteffort_cgroupfs",
       "/kubepods/besteffort/pod" + kPodDash + "/" + kId,
       {kId, "", kPodDash, "besteffort"}},
      {"kubepods_guaranteed_cgroupfs",
       "/kubepods/pod" + kPodDash + "/" + kId,
       {kId, "", kPodDash, "guaranteed"}},
      {"kubepods_crio_cgroupfs",
       "/kubepods/burstable/pod" + kPodDash + "/crio-" + kId,
       {kId, "cri-o", kPodDash, "burstable"}},
      // kubernetes, systemd driver
      {"kubepods_systemd_containerd",
       "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kPodUnderscore +
           ".slice/cri-containerd-" + kId + ".scope",
       {kId, "containerd", kPodDash, "burstable"}},
      {"kubepods_systemd_besteffort_crio",
       "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kPodUnderscore +
           ".slice/crio-" + kId + ".scope",
       {kId, "cri-o", kPodDash, "besteffort"}},
      {"kubepods_systemd_guaranteed_docker",
       "/kubepods.slice/kubepods-pod" + kPodUnderscore + ".slice/docker-" + kId + ".scope",
       {kId, "docker", kPodDash, "guaranteed"}},
      {"kubepods_under_kubelet_slice",
       "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
       "kubelet-kubepods-besteffort-pod" +
           kPodUnderscore + ".slice/cri-containerd-" + kId + ".scope",
       {kId, "containerd", kPodDash, "besteffort"}},
      {"containerd_systemd_colon_form",
       "/system.slice/containerd.service/kubepods-burstable-pod" + kPodUnderscore +
           ".slice:cri-containerd:" + kId,
       {kId, "containerd", kPodDash, "burstable"}},
      {"pod_cgroup_itself", "/kubepods/burstable/pod" + kPodDash, {"", "", kPodDash, "burstable"}},
      {"crio_conmon_is_host_side",
       "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kPodUnderscore +
           ".slice/crio-conmon-" + kId + ".scope",
       {"", "", kPodDash, "besteffort"}},
      // podman
      {"podman_rootful_systemd",
       "/machine.slice/libpod-" + kId + ".scope",
       {kId, "podman", "", ""}},
      {"podman_nested_container_leaf",
       "/machine.slice/libpod-" + kId + ".scope/container",
       {kId, "podman", "", ""}},
      {"podman_rootless",
       "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope",
       {kId, "podman", "", ""}},
      {"podman_cgroupfs", "/libpod_parent/libpod-" + kId, {kId, "podman", "", ""}},
      {"podman_conmon", "/machine.slice/libpod-conmon-" + kId + ".scope", {}},
      // crun / runc with the systemd driver
      {"crun_systemd", "/machine.slice/crun-web1.scope", {"web1", "crun", "", ""}},
      {"libcrun_systemd", "/system.slice/libcrun-db_2.scope", {"db_2", "crun", "", ""}},
      {"runc_systemd", "/system.slice/runc-job-7.scope", {"job-7", "runc", "", ""}},
      {"runc_dotdot_rejected", "/system.slice/runc-...scope", {}},
      // hostile input
      {"empty", "", {}},
      {"newlines_and_bytes", "/docker/\n\xff\xfe/" + kId + "\n", {}},
      {"slashes_only", "////", {}},
      {"uppercase_hex_id",
       "/docker/" + std::string(64, 'F'),
       {std::string(64, 'F'), "docker", "", ""}},
      {"pod_uid_wrong_length", "/kubepods/burstable/pod1234/" + kId, {kId, "", "", ""}},
  };
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class ContainerPathTest : public ::testing::TestWithParam<Case> {};

TEST_P(ContainerPathTest, Parses) {
  const Case& c = GetParam();
  ContainerIdentity got = ContainerFromCgroupPath(c.path);
  EXPECT_EQ(got.id, c.want.id) << c.path;
  EXPECT_EQ(got.runtime, c.want.runtime) << c.path;
  EXPECT_EQ(got.pod_uid, c.want.pod_uid) << c.path;
  EXPECT_EQ(got.qos, c.want.qos) << c.path;
}

INSTANTIATE_TEST_SUITE_P(RealWorldShapes, ContainerPathTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

TEST(ProcCgroupTest, HybridPrefersUnifiedWhenItNamesAContainer) {
  std::string text = "12:memory:/docker/" + kId + "\n1:name=systemd:/docker/" + kId +
                     "\n0::/system.slice/docker-" + kId + ".scope\n";
  ContainerIdentity got = ContainerFromProcCgroup(text);
  EXPECT_EQ(got.id, kId);
  EXPECT_EQ(got.runtime, "docker");
  EXPECT_EQ(PrimaryCgroupPath(text), "/system.slice/docker-" + kId + ".scope");
}

TEST(ProcCgroupTest, HybridFallsBackToV1WhenUnifiedIsRoot) {
  std::string text = "4:memory:/kubepods/besteffort/pod" + kPodDash + "/" + kId +
                     "\n1:name=systemd:/kubepods/besteffort/pod" + kPodDash + "/" + kId +
                     "\n0::/\n";
  ContainerIdentity got = ContainerFromProcCgroup(text);
  EXPECT_EQ(got.id, kId);
  EXPECT_EQ(got.pod_uid, kPodDash);
  EXPECT_EQ(got.qos, "besteffort");
  EXPECT_EQ(PrimaryCgroupPath(text), "/");
}

TEST(ProcCgroupTest, PureV1UsesNameSystemdAsPrimary) {
  std::string text = "3:cpu,cpuacct:/a\n1:name=systemd:/system.slice/cron.service\n";
  EXPECT_EQ(PrimaryCgroupPath(text), "/system.slice/cron.service");
  EXPECT_FALSE(ContainerFromProcCgroup(text).in_container());
}

TEST(ProcCgroupTest, PathWithColonsAndMalformedLines) {
  std::string text = "garbage\n::\n7:x\n0::/system.slice/containerd.service/kubepods-pod" +
                     kPodUnderscore + ".slice:cri-containerd:" + kId + "\n";
  ContainerIdentity got = ContainerFromProcCgroup(text);
  EXPECT_EQ(got.id, kId);
  EXPECT_EQ(got.runtime, "containerd");
}

TEST(ProcCgroupTest, ThisProcessParsesWithoutCrashing) {
  // Whatever this machine's layout is, the real file is accepted and gives a path.
  FILE* f = std::fopen("/proc/self/cgroup", "r");
  ASSERT_NE(f, nullptr);
  std::string text(16384, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), f));
  std::fclose(f);
  EXPECT_FALSE(PrimaryCgroupPath(text).empty());
  ContainerFromProcCgroup(text);
}

}  // namespace
}  // namespace vigil::proctree
