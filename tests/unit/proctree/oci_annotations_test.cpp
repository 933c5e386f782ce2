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
