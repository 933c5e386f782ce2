// Unit tests of the agent's operations surface: the Prometheus text rendering, the health
// verdicts, the HTTP endpoint (bounded, never blocked by a slow client, explicit addresses
// only), the status JSON, and the systemd notification.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent_stats.h"
#include "agent/health.h"
#include "agent/metrics_server.h"
#include "agent/metrics_text.h"
#include "agent/systemd_notify.h"

namespace vigil::agent {
namespace {

using namespace std::chrono_literals;

AgentSnapshot Sample() {
  AgentSnapshot s;
  s.agent_version = "1.2.3";
  s.taken = std::chrono::steady_clock::now();
  s.sensors_attached = true;
  s.policy_version = 3;
  s.reloads_ok = 3;
  s.reloads_failed = 1;
  s.reload_latency.Observe(0.004);  // bucket le=0.005
  s.reload_latency.Observe(0.2);    // le=0.25
  s.reload_latency.Observe(0.2);    // le=0.25
  s.reload_latency.Observe(60);     // +Inf
  s.events_by_type = {{"exec", 10}, {"open", 90}};
  s.records_by_buffer = {{"main", 100}, {"net", 0}};
  s.reader = {{"polls", 40}, {"idle_entered", 3}, {"idle_woken", 2}, {"idle_late", 1}};
  s.kernel = {{"drop_main", 2}, {"drop_net", 1},      {"filtered", 500},
              {"throttled", 7}, {"inflight_full", 0}, {"proc_info_misses", 4}};
  s.decode_errors = 5;
  s.alerts = {{{"shell_in_container", "high"}, 6},
              {{"vigil:loss", "medium"}, 1},
              {{"odd \"name\"\\x", "low"}, 2}};
  s.alerts_suppressed = 9;
  s.correlations_fired = 6;
  s.correlation_evicted = 2;
  s.rule_throttled = 13;
  s.loss_reports = 1;
  s.kills = {{"user", 1}, {"kernel", 0}};
  s.processes = 321;
  s.tree = {{"forks", 40}};
  s.pending_waiting = 3;
  s.pending_capacity = 8192;
  s.pending = {{"pending_resolved", 11}};
  s.sinks = {{.name = "file:/var/log/a.jsonl",
              .queued = 4,
              .written = 8,
              .dropped = 1,
              .failed = 2,
              .writable = false,
              .retries = 7,
              .in_flight = 3}};
  return s;
}

// name{labels} -> value, for every sample line; and every family's TYPE.
struct Parsed {
  std::map<std::string, std::string> samples;
  std::map<std::string, std::string> types;
};

Parsed Parse(const std::string& text) {
  Parsed p;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream l(line.substr(7));
      std::string name, type;
      l >> name >> type;
      p.types[name] = type;
    } else if (!line.empty() && line[0] != '#') {
      const size_t sp = line.rfind(' ');
      p.samples[line.substr(0, sp)] = line.substr(sp + 1);
    }
  }
  return p;
}

TEST(MetricsText, EveryFamilyAndValue) {
  const Parsed p = Parse(PrometheusText(Sample(), {.requests = 5, .rejected = 1, .timeouts = 2}));
  EXPECT_EQ(p.samples.at("vigil_build_info{version=\"1.2.3\"}"), "1");
  EXPECT_EQ(p.samples.at("vigil_policy_version"), "3");
  EXPECT_EQ(p.samples.at("vigil_reloads_total{result=\"ok\"}"), "3");
  EXPECT_EQ(p.samples.at("vigil_reloads_total{result=\"failed\"}"), "1");
  // Buckets are cumulative, +Inf equals the count.
  EXPECT_EQ(p.samples.at("vigil_reload_duration_seconds_bucket{le=\"0.005\"}"), "1");
  EXPECT_EQ(p.samples.at("vigil_reload_duration_seconds_bucket{le=\"0.1\"}"), "1");
  EXPECT_EQ(p.samples.at("vigil_reload_duration_seconds_bucket{le=\"0.25\"}"), "3");
  EXPECT_EQ(p.samples.at("vigil_reload_duration_seconds_bucket{le=\"10\"}"), "3");
  EXPECT_EQ(p.samples.at("vigil_reload_duration_seconds_bucket{le=\"+Inf\"}"), "4");
  EXPECT_EQ(p.samples.at("vigil_reload_duration_seconds_count"), "4");
  EXPECT_EQ(std::stod(p.samples.at("vigil_reload_duration_seconds_sum")), 60.404);
  EXPECT_EQ(p.samples.at("vigil_events_total{type=\"open\"}"), "90");
  EXPECT_EQ(p.samples.at("vigil_events_kernel_filtered_total"), "500");
  EXPECT_EQ(p.samples.at("vigil_ring_reader_total{what=\"polls\"}"), "40");
  EXPECT_EQ(p.samples.at("vigil_ring_reader_total{what=\"idle_woken\"}"), "2");
  EXPECT_EQ(p.samples.at("vigil_ring_reader_total{what=\"idle_late\"}"), "1");
  EXPECT_EQ(p.samples.at("vigil_events_dropped_total{buffer=\"main\",cause=\"ring_full\"}"), "2");
  EXPECT_EQ(p.samples.at("vigil_events_dropped_total{buffer=\"net\",cause=\"ring_full\"}"), "1");
  EXPECT_EQ(p.samples.at("vigil_events_dropped_total{buffer=\"main\",cause=\"throttled\"}"), "7");
  EXPECT_EQ(p.samples.at("vigil_events_dropped_total{buffer=\"any\",cause=\"decode_error\"}"), "5");
  EXPECT_EQ(p.samples.at("vigil_kernel_stat_total{stat=\"proc_info_misses\"}"), "4");
  EXPECT_EQ(p.samples.count("vigil_kernel_stat_total{stat=\"filtered\"}"), 0u);
  EXPECT_EQ(p.samples.at("vigil_alerts_total{rule=\"shell_in_container\",severity=\"high\"}"), "6");
  EXPECT_EQ(p.samples.at("vigil_alerts_total{rule=\"vigil:loss\",severity=\"medium\"}"), "1");
  // Label values escaped: backslash and double quote.
  EXPECT_EQ(p.samples.at("vigil_alerts_total{rule=\"odd \\\"name\\\"\\\\x\",severity=\"low\"}"),
            "2");
  EXPECT_EQ(p.samples.at("vigil_alerts_suppressed_total"), "9");
  EXPECT_EQ(p.samples.at("vigil_correlations_fired_total"), "6");
  EXPECT_EQ(p.samples.at("vigil_correlation_states_evicted_total"), "2");
  EXPECT_EQ(p.samples.at("vigil_alerts_rule_throttled_total"), "13");
  EXPECT_EQ(p.samples.at("vigil_sink_retries_total{sink=\"file:/var/log/a.jsonl\"}"), "7");
  EXPECT_EQ(p.samples.at("vigil_sink_alerts_in_flight{sink=\"file:/var/log/a.jsonl\"}"), "3");
  EXPECT_EQ(p.samples.at("vigil_kills_total{outcome=\"user\"}"), "1");
  EXPECT_EQ(p.samples.at("vigil_process_tree_processes"), "321");
  EXPECT_EQ(p.samples.at("vigil_pending_events"), "3");
  EXPECT_EQ(p.samples.at("vigil_pending_operations_total{counter=\"pending_resolved\"}"), "11");
  EXPECT_EQ(p.samples.at("vigil_sink_queue_depth{sink=\"file:/var/log/a.jsonl\"}"), "4");
  EXPECT_EQ(p.samples.at("vigil_sink_alerts_written_total{sink=\"file:/var/log/a.jsonl\"}"), "8");
  EXPECT_EQ(p.samples.at("vigil_sink_alerts_dropped_total{sink=\"file:/var/log/a.jsonl\"}"), "1");
  EXPECT_EQ(p.samples.at("vigil_sink_alerts_failed_total{sink=\"file:/var/log/a.jsonl\"}"), "2");
  EXPECT_EQ(p.samples.at("vigil_sink_writable{sink=\"file:/var/log/a.jsonl\"}"), "0");
  EXPECT_EQ(p.samples.at("vigil_metrics_requests_total"), "5");
  EXPECT_EQ(p.samples.at("vigil_metrics_connections_rejected_total{reason=\"timeout\"}"), "2");
  // Conventions: counters end in _total, every sample belongs to a declared family.
  for (const auto& [name, type] : p.types) {
    EXPECT_EQ(name.rfind("vigil_", 0), 0u) << name;
    if (type == "counter") {
      EXPECT_TRUE(name.ends_with("_total")) << name;
    }
  }
  for (const auto& [sample, value] : p.samples) {
    std::string family = sample.substr(0, sample.find('{'));
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      if (!p.types.count(family) && family.ends_with(suffix))
        family = family.substr(0, family.size() - std::strlen(suffix));
    EXPECT_TRUE(p.types.count(family)) << sample;
  }
}

// docs/operations.md lists every metric family the renderer writes, and no other.
TEST(MetricsText, DocumentedInOperationsPage) {
  std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/docs/operations.md");
  ASSERT_TRUE(in) << "docs/operations.md";
  std::stringstream doc;
  doc << in.rdbuf();
  std::set<std::string> documented;
  // The metrics section only: other sections name alert keys such as `vigil_version`.
  std::string text = doc.str();
  const size_t start = text.find("\n## Metrics and health");
  ASSERT_NE(start, std::string::npos) << "docs/operations.md has no \"## Metrics and health\"";
  const size_t end = text.find("\n## ", start + 1);
  text = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::regex name_re("`(vigil_[a-z_]+)`");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name_re);
       it != std::sregex_iterator(); ++it)
    documented.insert((*it)[1]);
  const Parsed p = Parse(PrometheusText(Sample()));
  for (const auto& [name, type] : p.types)
    EXPECT_TRUE(documented.count(name)) << name << " is not in docs/operations.md";
  for (const auto& name : documented)
    EXPECT_TRUE(p.types.count(name)) << name << " is documented but not rendered";
}

TEST(Health, ReadyNeedsSensorsPolicyAndWritableOutputs) {
  AgentSnapshot s = Sample();
  HealthVerdict v = CheckReady(s);
  EXPECT_FALSE(v.ok);
  ASSERT_EQ(v.reasons.size(), 1u);
  EXPECT_NE(v.reasons[0].find("output file:/var/log/a.jsonl is not writable"), std::string::npos);
  s.sinks[0].writable = true;
  EXPECT_TRUE(CheckReady(s).ok);
  s.sensors_attached = false;
  s.policy_version = 0;
  v = CheckReady(s);
  EXPECT_EQ(v.reasons.size(), 2u) << v.Text();
}

TEST(Health, AliveUnlessTheLoopStalls) {
  AgentSnapshot s = Sample();
  const auto now = s.taken;
  EXPECT_TRUE(CheckAlive(s, now + 5s, 30s).ok);
  EXPECT_FALSE(CheckAlive(s, now + 31s, 30s).ok);
  s.sensors_attached = false;  // still starting: loading and attaching take their time
  EXPECT_TRUE(CheckAlive(s, now + 120s, 30s).ok);
}

TEST(StatsJson, StructuredCounters) {
  const nlohmann::json j = StatsJson(Sample());
  EXPECT_EQ(j["policy_version"], 3);
  EXPECT_EQ(j["events"]["total"], 100);
  EXPECT_EQ(j["events"]["by_type"]["exec"], 10);
  EXPECT_EQ(j["kernel"]["filtered"], 500);
  EXPECT_EQ(j["alerts"]["total"], 9);
  EXPECT_EQ(j["alerts"]["by_rule"][0]["rule"], "odd \"name\"\\x");
  EXPECT_EQ(j["reloads"]["latency_seconds"]["count"], 4);
  EXPECT_EQ(j["reloads"]["latency_seconds"]["buckets"].back()["le"], "+Inf");
  EXPECT_EQ(j["reloads"]["latency_seconds"]["buckets"].back()["count"], 4);
  EXPECT_EQ(j["sinks"][0]["queued"], 4);
  EXPECT_EQ(j["sinks"][0]["writable"], false);
  EXPECT_EQ(j["process_tree"]["processes"], 321);
  EXPECT_EQ(j["pending"]["waiting"], 3);
}

TEST(MetricsAddress, ExplicitHostsOnly) {
  EXPECT_TRUE(ParseMetricsAddress("127.0.0.1:9464"));
  EXPECT_TRUE(ParseMetricsAddress("localhost:9464"));
  EXPECT_TRUE(ParseMetricsAddress("[::1]:9464"));
  EXPECT_TRUE(ParseMetricsAddress("10.1.2.3:0"));
  for (const char* bad : {"0.0.0.0:9464", "[::]:9464", ":9464", "9464", "127.0.0.1",
                          "127.0.0.1:65536", "127.0.0.1:x", "example.com:9464", "::1:9464"}) {
    auto r = ParseMetricsAddress(bad);
    EXPECT_FALSE(r) << bad;
  }
  EXPECT_NE(ParseMetricsAddress("0.0.0.0:1").error().find("every address"), std::string::npos);
}

// A client socket connected to the server's port on loopback.
int Connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// One request; the whole answer, or what came before `timeout`.
std::string Get(uint16_t port, const std::string& request, int timeout_ms = 5000) {
  int fd = Connect(port);
  if (fd < 0) return "";
  [[maybe_unused]] ssize_t n = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) break;
    ssize_t got = ::recv(fd, buf, sizeof buf, 0);
    if (got <= 0) break;
    out.append(buf, static_cast<size_t>(got));
  }
  ::close(fd);
  return out;
}

struct ServerFixture {
  explicit ServerFixture(MetricsServerOptions options = {}) {
    snapshot = std::make_shared<const AgentSnapshot>(Sample());
    server = std::make_unique<MetricsServer>(
        *ParseMetricsAddress("127.0.0.1:0"), [this] { return snapshot; }, options);
    started = server->Start().ok();
  }
  std::shared_ptr<const AgentSnapshot> snapshot;
  std::unique_ptr<MetricsServer> server;
  bool started = false;
};

TEST(MetricsServer, ServesMetricsHealthAndReadiness) {
  ServerFixture f;
  ASSERT_TRUE(f.started);
  const uint16_t port = f.server->port();
  std::string r = Get(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(r.find("\nvigil_policy_version 3\n"), std::string::npos);
  const size_t body = r.find("\r\n\r\n") + 4;
  const std::string length = "Content-Length: " + std::to_string(r.size() - body) + "\r\n";
  EXPECT_NE(r.find(length), std::string::npos);
  EXPECT_EQ(Get(port, "GET /healthz HTTP/1.0\r\n\r\n").rfind("HTTP/1.1 200", 0), 0u);
  // The sample's output is not writable: not ready, and the answer says why.
  r = Get(port, "GET /readyz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 503", 0), 0u) << r;
  EXPECT_NE(r.find("is not writable"), std::string::npos);
  EXPECT_EQ(Get(port, "GET /nope HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(Get(port, "POST /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 405", 0), 0u);
  EXPECT_EQ(Get(port, "garbage\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  r = Get(port, "HEAD /metrics HTTP/1.1\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(r.find("vigil_"), std::string::npos);  // no body
  EXPECT_EQ(
      Get(port, "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 431", 0),
      0u);
}

// Clients that connect and send nothing neither block other clients nor stay forever; past
// the bound, connections are closed at once and counted.
TEST(MetricsServer, SlowClientsAreBoundedAndTimedOut) {
  ServerFixture f({.max_connections = 2, .client_timeout = 1500ms});
  ASSERT_TRUE(f.started);
  const uint16_t port = f.server->port();
  int silent = Connect(port);
  ASSERT_GE(silent, 0);
  // Another client is served while the silent one holds its connection.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Get(port, "GET /healthz HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);  // not after the silent one
  int second = Connect(port);
  ASSERT_GE(second, 0);
  std::this_thread::sleep_for(50ms);
  // Two connections open: the third is closed unanswered.
  EXPECT_EQ(Get(port, "GET /healthz HTTP/1.1\r\n\r\n", 1000), "");
  EXPECT_GE(f.server->counters().rejected, 1u);
  // The silent ones time out and are closed by the server.
  for (int fd : {silent, second}) {
    char c;
    pollfd p{fd, POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 5000), 1);
    EXPECT_EQ(::recv(fd, &c, 1, 0), 0);
    ::close(fd);
  }
  EXPECT_EQ(f.server->counters().timeouts, 2u);
  EXPECT_EQ(Get(port, "GET /healthz HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200", 0), 0u);
}

TEST(MetricsServer, RefusesABusyPort) {
  ServerFixture f;
  ASSERT_TRUE(f.started);
  MetricsServer other(*ParseMetricsAddress("127.0.0.1:" + std::to_string(f.server->port())),
                      [] { return std::shared_ptr<const AgentSnapshot>(); });
  auto s = other.Start();
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("cannot listen on 127.0.0.1:"), std::string::npos) << s.error();
}

// sd_notify's protocol, spoken without libsystemd: each message is one datagram to the socket
// $NOTIFY_SOCKET names, a path or an @abstract name; without it nothing is sent and nothing
// fails.
class NotifySocket {
 public:
  // Binds a datagram socket at `address` ("/path" or "@name", as $NOTIFY_SOCKET gives it).
  explicit NotifySocket(const std::string& address) : address_(address) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, address.data(), address.size());
    if (address[0] == '@') a.sun_path[0] = '\0';
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
    bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&a), length) == 0;
  }
  ~NotifySocket() {
    ::close(fd_);
    if (address_[0] == '/') ::unlink(address_.c_str());
  }
  bool bound() const { return bound_; }
  // The next datagram, whole ("" after 2 s without one).
  std::string Receive() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 2000) != 1) return "";
    char buf[512];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  std::string address_;
  int fd_ = -1;
  bool bound_ = false;
};

// Sends READY=1 and STOPPING=1 to a socket bound at `address` and reads them back.
void ExpectNotificationsReach(const std::string& address) {
  NotifySocket socket(address);
  ASSERT_TRUE(socket.bound()) << address << ": " << std::strerror(errno);
  ::setenv("NOTIFY_SOCKET", address.c_str(), 1);
  EXPECT_TRUE(NotifyReady("watching; policy set version 1\nsecond line"));
  EXPECT_TRUE(NotifyReloading());
  EXPECT_TRUE(NotifyStopping());
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_EQ(socket.Receive(), "READY=1\nSTATUS=watching; policy set version 1 second line");
  EXPECT_EQ(socket.Receive(), "RELOADING=1");
  EXPECT_EQ(socket.Receive(), "STOPPING=1");
}

TEST(SystemdNotify, SendsToAPathSocket) {
  char dir_tmpl[] = "/tmp/vigil-notify-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_tmpl), nullptr);
  ExpectNotificationsReach(std::string(dir_tmpl) + "/notify");
  ::rmdir(dir_tmpl);
}

TEST(SystemdNotify, SendsToAnAbstractSocket) {
  ExpectNotificationsReach("@vigil-notify-test-" + std::to_string(::getpid()));
}

TEST(SystemdNotify, WithoutTheVariableNothingIsSent) {
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(NotifyReady("not under systemd"));
  ::setenv("NOTIFY_SOCKET", "", 1);
  EXPECT_FALSE(NotifyStopping());
  ::unsetenv("NOTIFY_SOCKET");
}

// A socket that is not there, or an address that is neither a path nor @name: false, no crash.
TEST(SystemdNotify, AnUnusableSocketFailsQuietly) {
  ::setenv("NOTIFY_SOCKET", "/nonexistent/vigil-notify", 1);
  EXPECT_FALSE(NotifyReady("x"));
  ::setenv("NOTIFY_SOCKET", "relative/notify", 1);
  EXPECT_FALSE(NotifyReloading());
  ::setenv("NOTIFY_SOCKET", ("/" + std::string(200, 'x')).c_str(), 1);
  EXPECT_FALSE(NotifyStopping());
  ::unsetenv("NOTIFY_SOCKET");
}

}  // namespace
}  // namespace vigil::agent
