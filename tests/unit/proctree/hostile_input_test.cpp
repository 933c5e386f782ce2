// Random input assembled from the pieces real parsers trip on (separators, parentheses, NULs,
// invalid UTF-8, container prefixes, hex ids): the parsers must neither crash nor return an
// identity that could not have come from a well-formed path.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "proctree/container_id.h"
#include "proctree/oci_annotations.h"
#include "proctree/proc_snapshot.h"
#include "proctree/runtime_state.h"

namespace vigil::proctree {
namespace {

const std::vector<std::string>& Pieces() {
  static const std::vector<std::string> pieces = {"/",
                                                  "//",
                                                  ":",
                                                  "0::",
                                                  "1:name=systemd:",
                                                  "\n",
                                                  std::string(1, '\0'),
                                                  "\xff",
                                                  "\xc3",
                                                  "(",
                                                  ")",
                                                  " ",
                                                  "docker",
                                                  "docker-",
                                                  "cri-containerd-",
                                                  "crio-",
                                                  "crio-conmon-",
                                                  "libpod-",
                                                  "runc-",
                                                  "crun-",
                                                  ".scope",
                                                  ".slice",
                                                  "kubepods",
                                                  "kubepods-burstable-",
                                                  "besteffort",
                                                  "pod",
                                                  "_",
                                                  "-",
                                                  "..",
                                                  ".",
                                                  std::string(64, 'a'),
                                                  std::string(63, 'b'),
                                                  "8a1f0c3e_2b4d_4e6f_9a8b_7c6d5e4f3a2b",
                                                  "{",
                                                  "}",
                                                  "[",
                                                  "]",
                                                  "\"",
                                                  "\\",
                                                  "annotations",
                                                  "labels",
                                                  "bundle=",
                                                  "=",
                                                  "123",
                                                  "-1",
                                                  "99999999999999999999999",
                                                  "S",
                                                  "\t"};
  return pieces;
}

// Well-formed inputs the mutations start from half of the time.
const std::vector<std::string>& Seeds() {
  static const std::vector<std::string> seeds = {
      "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8a1f0c3e_2b4d_4e6f_9a8b_"
      "7c6d5e4f3a2b.slice/cri-containerd-" +
          std::string(64, 'a') + ".scope\n",
      "4:memory:/kubepods/besteffort/pod8a1f0c3e-2b4d-4e6f-9a8b-7c6d5e4f3a2b/" +
          std::string(64, 'c') + "\n0::/\n",
      "4242 (a) b) S 1 10 10 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 123456 0 0\n",
      R"({"annotations":{"io.kubernetes.pod.name":"p","io.kubernetes.cri-o.Labels":"{\"a\":\"b\"}"}})",
      R"({"config":{"labels":["bundle=/b","k=v"]}})",
  };
  return seeds;
}

std::string RandomText(std::mt19937_64& rng) {
  std::string out;
  if (rng() % 2) {
    out = Seeds()[rng() % Seeds().size()];
    size_t edits = rng() % 4;
    for (size_t i = 0; i < edits && !out.empty(); ++i) {
      size_t at = rng() % out.size();
      switch (rng() % 3) {
        case 0:
          out.insert(at, Pieces()[rng() % Pieces().size()]);
          break;
        case 1:
          out.erase(at, 1 + rng() % 8);
          break;
        default:
          out[at] = static_cast<char>(rng());
      }
    }
    return out;
  }
  size_t n = rng() % 24;
  for (size_t i = 0; i < n; ++i) out += Pieces()[rng() % Pieces().size()];
  return out;
}

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

TEST(HostileInputTest, ParsersSurviveAndStayWellFormed) {
  std::mt19937_64 rng(20261125);
  int containers = 0, pods = 0, stats = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string text = RandomText(rng);
    ContainerIdentity c = ContainerFromProcCgroup(text);
    ContainerIdentity p = ContainerFromCgroupPath(text);
    for (const ContainerIdentity* id : {&c, &p}) {
      if (id->in_container()) {
        EXPECT_TRUE(IsHex64(id->id) || IsSafeContainerId(id->id)) << text;
      }
      if (id->in_container()) ++containers;
      if (!id->pod_uid.empty()) {
        ++pods;
        EXPECT_TRUE(id->pod_uid.size() == 36 || id->pod_uid.size() == 32) << text;
        EXPECT_EQ(id->pod_uid.find('_'), std::string::npos) << text;
        EXPECT_FALSE(id->qos.empty());
      }
    }
    PrimaryCgroupPath(text);
    Result<StatFields> stat = ParseProcStat(text);
    if (stat) ++stats;
    ParseProcStatusIds(text);
    ParseNamespaceLink(text);
    PodFromOciConfig(text);
    ParseRuncState(text);
  }
  // The generator does reach the interesting shapes, not only garbage.
  EXPECT_GT(containers, 0);
  EXPECT_GT(pods, 0);
  EXPECT_GT(stats, 0);
}

}  // namespace
}  // namespace vigil::proctree
