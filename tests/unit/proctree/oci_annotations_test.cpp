#include "proctree/oci_annotations.h"

#include <gtest/gtest.h>

namespace vigil::proctree {
namespace {

// Shape of a config.json written by CRI-O for a pod's container (trimmed).
constexpr const char* kCrioConfig = R"({
  "ociVersion": "1.0.2-dev",
  "process": {"args": ["nginx", "-g", "daemon off;"]},
  "annotations": {
    "io.kubernetes.pod.name": "web-7d4b9c-x2x5q",
    "io.kubernetes.pod.namespace": "shop",
    "io.kubernetes.pod.uid": "8a1f0c3e-2b4d-4e6f-9a8b-7c6d5e4f3a2b",
    "io.kubernetes.container.name": "nginx",
    "io.kubernetes.cri-o.ContainerType": "container",
    "io.kubernetes.cri-o.SandboxID": "5e1c",
    "io.kubernetes.cri-o.Labels": "{\"app\":\"web\",\"tier\":\"front\",\"io.kubernetes.pod.name\":\"web-7d4b9c-x2x5q\"}",
    "io.kubernetes.cri-o.Annotations": "{\"kubernetes.io/config.seen\":\"2024\"}"
  }
})";

// Shape of a config.json written by containerd's CRI plugin (trimmed).
constexpr const char* kContainerdConfig = R"({
  "ociVersion": "1.1.0",
  "annotations": {
    "io.kubernetes.cri.container-type": "container",
    "io.kubernetes.cri.container-name": "redis",
    "io.kubernetes.cri.image-name": "docker.io/library/redis:7",
    "io.kubernetes.cri.sandbox-id": "91ab",
    "io.kubernetes.cri.sandbox-name": "cache-0",
    "io.kubernetes.cri.sandbox-namespace": "data",
    "io.kubernetes.cri.sandbox-uid": "11111111-2222-3333-4444-555555555555"
  }
})";

TEST(OciAnnotationsTest, CrioKeysAndLabels) {
  Result<PodMetadata> pod = PodFromOciConfig(kCrioConfig);
  ASSERT_TRUE(pod) << pod.error();
  EXPECT_EQ(pod->pod_name, "web-7d4b9c-x2x5q");
  EXPECT_EQ(pod->pod_namespace, "shop");
  EXPECT_EQ(pod->pod_uid, "8a1f0c3e-2b4d-4e6f-9a8b-7c6d5e4f3a2b");
  EXPECT_EQ(pod->container_name, "nginx");
  EXPECT_EQ(pod->container_type, "container");
  EXPECT_EQ(pod->sandbox_id, "5e1c");
  ASSERT_EQ(pod->labels.size(), 3u);
  EXPECT_EQ(pod->labels.at("app"), "web");
  EXPECT_EQ(pod->labels.at("tier"), "front");
}

TEST(OciAnnotationsTest, ContainerdKeys) {
  Result<PodMetadata> pod = PodFromOciConfig(kContainerdConfig);
  ASSERT_TRUE(pod) << pod.error();
  EXPECT_EQ(pod->pod_name, "cache-0");
  EXPECT_EQ(pod->pod_namespace, "data");
  EXPECT_EQ(pod->pod_uid, "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(pod->container_name, "redis");
  EXPECT_EQ(pod->container_type, "container");
  EXPECT_EQ(pod->sandbox_id, "91ab");
  EXPECT_TRUE(pod->labels.empty());
}

TEST(OciAnnotationsTest, NoAnnotationsIsEmptyNotAnError) {
  Result<PodMetadata> pod = PodFromOciConfig(R"({"ociVersion":"1.0.0","process":{}})");
  ASSERT_TRUE(pod);
  EXPECT_TRUE(pod->empty());
  Result<PodMetadata> null_annotations = PodFromOciConfig(R"({"annotations":null})");
  ASSERT_TRUE(null_annotations);
  EXPECT_TRUE(null_annotations->empty());
}

TEST(OciAnnotationsTest, NonStringValuesAreSkipped) {
  auto annotations = ParseOciAnnotations(
      R"({"annotations":{"io.kubernetes.pod.name":7,"io.kubernetes.pod.namespace":"ns","x":{"y":1}}})");
  ASSERT_TRUE(annotations);
  EXPECT_EQ(annotations->size(), 1u);
  EXPECT_EQ(annotations->at("io.kubernetes.pod.namespace"), "ns");
}

TEST(OciAnnotationsTest, BadInputIsAnErrorValue) {
  EXPECT_FALSE(PodFromOciConfig(""));
  EXPECT_FALSE(PodFromOciConfig("{"));
  EXPECT_FALSE(PodFromOciConfig("[1,2]"));
  EXPECT_FALSE(PodFromOciConfig(R"({"annotations":"x"})"));
  EXPECT_FALSE(PodFromOciConfig("{\"annotations\":{\"a\":\"\xff\xfe\"}}"));  // invalid UTF-8
  std::string deep(100000, '[');
  EXPECT_FALSE(PodFromOciConfig(deep));
}

TEST(OciAnnotationsTest, MalformedCrioLabelsAreIgnored) {
  auto pod = PodFromOciConfig(
      R"({"annotations":{"io.kubernetes.pod.name":"p","io.kubernetes.cri-o.Labels":"not json"}})");
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->pod_name, "p");
  EXPECT_TRUE(pod->labels.empty());
}

TEST(OciAnnotationsTest, HostileStringsAreKeptAsBytes) {
  auto pod = PodFromOciConfig(
      R"({"annotations":{"io.kubernetes.pod.name":"a\nb\u0000c\"","io.kubernetes.pod.namespace":"\u00e9"}})");
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->pod_name, std::string("a\nb\0c\"", 6));
  EXPECT_EQ(pod->pod_namespace, "\xc3\xa9");
}

}  // namespace
}  // namespace vigil::proctree

namespace vigil::proctree {
namespace {

// Image and digest from the runtimes' annotations.
TEST(OciSpecTest, ImageAndDigest) {
  auto crio = PodFromOciConfig(R"({"annotations": {
      "io.kubernetes.cri-o.ImageName": "quay.io/shop/web:1.4",
      "io.kubernetes.cri-o.ImageRef": "quay.io/shop/web@sha256:0123abcd"}})");
  ASSERT_TRUE(crio);
  EXPECT_EQ(crio->image, "quay.io/shop/web:1.4");
  EXPECT_EQ(crio->image_digest, "sha256:0123abcd");
  auto containerd = PodFromOciConfig(R"({"annotations": {
      "io.kubernetes.cri.image-name": "docker.io/library/redis:7"}})");
  ASSERT_TRUE(containerd);
  EXPECT_EQ(containerd->image, "docker.io/library/redis:7");
  EXPECT_EQ(containerd->image_digest, "");
  auto nerdctl = PodFromOciConfig(R"({"annotations": {"nerdctl/name": "db"}})");
  ASSERT_TRUE(nerdctl);
  EXPECT_EQ(nerdctl->container_name, "db");
}

// `runc spec`'s defaults: no CAP_SYS_ADMIN, every device denied, its own namespaces but user
// and cgroup (older runc) - so not privileged, sharing the user namespace.
TEST(OciSpecTest, DefaultSpecIsNotPrivileged) {
  auto pod = PodFromOciConfig(R"({
    "process": {"capabilities": {"bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]}},
    "linux": {"resources": {"devices": [{"allow": false, "access": "rwm"}]},
              "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"},
                             {"type": "uts"}, {"type": "mount"}]}})");
  ASSERT_TRUE(pod);
  EXPECT_TRUE(pod->spec_read);
  EXPECT_FALSE(pod->privileged);
  EXPECT_EQ(pod->host_namespaces, (std::vector<std::string>{"user", "cgroup"}));
}

TEST(OciSpecTest, PrivilegedByCapabilityOrDevicesAndHostNamespaces) {
  auto cap = PodFromOciConfig(R"({
    "process": {"capabilities": {"bounding": ["CAP_CHOWN", "CAP_SYS_ADMIN"]}},
    "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"},
                             {"type": "network", "path": "/proc/7/ns/net"}]}})");
  ASSERT_TRUE(cap);
  EXPECT_TRUE(cap->privileged);
  // A joined namespace (a pod's sandbox) is not the host's.
  EXPECT_EQ(cap->host_namespaces, (std::vector<std::string>{"ipc", "uts", "user", "cgroup"}));
  // docker --privileged: deny all, then allow all devices.
  auto dev = PodFromOciConfig(R"({"linux": {"resources": {"devices": [
      {"allow": false, "access": "rwm"}, {"allow": true, "type": "a", "access": "rwm"}]}}})");
  ASSERT_TRUE(dev);
  EXPECT_TRUE(dev->privileged);
  // Allowing one device, or all then denying all again, is not "every device".
  auto one = PodFromOciConfig(R"({"linux": {"resources": {"devices": [
      {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
      {"allow": true, "access": "rwm"}, {"allow": false}]}}})");
  ASSERT_TRUE(one);
  EXPECT_FALSE(one->privileged);
}

TEST(OciSpecTest, MalformedSpecPartsAreIgnored) {
  auto pod = PodFromOciConfig(R"({"process": {"capabilities": 3},
                                  "linux": {"resources": {"devices": [7, {"allow": "yes"}]},
                                            "namespaces": "all"}})");
  ASSERT_TRUE(pod);
  EXPECT_FALSE(pod->privileged);
  EXPECT_EQ(pod->host_namespaces.size(), 7u);
  // No "linux" object: nothing can be said of namespaces.
  auto bare = PodFromOciConfig(R"({"process": {}})");
  ASSERT_TRUE(bare);
  EXPECT_TRUE(bare->host_namespaces.empty());
}

}  // namespace
}  // namespace vigil::proctree
