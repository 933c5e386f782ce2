// `vigil run --metrics ADDR`: a small HTTP/1.x server on its own thread, serving
//   /metrics  the snapshot in Prometheus text format (metrics_text.h)
//   /healthz  200 while the agent is alive, 503 otherwise (health.h)
//   /readyz   200 when sensors are attached, a policy set is loaded and outputs are writable
// It reads the latest snapshot the agent published and never touches live counters, so a slow
// or stuck client costs the event loop nothing. Connections are bounded (more are accepted and
// closed at once, counted), each must send its request and take its answer within a deadline
// (else it is closed, counted), a request is at most 8 KiB, one request per connection.
// The address names a host explicitly: an IP literal or `localhost`, and a port; wildcard
// addresses (0.0.0.0, ::) are refused, so the endpoint is never exposed by accident.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "agent/agent_stats.h"
#include "agent/metrics_text.h"
#include "agent/server_thread.h"
#include "util/result.h"

namespace vigil::agent {

struct MetricsAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string text;  // as given
};

// "127.0.0.1:9464", "[::1]:9464", "localhost:9464", "10.1.2.3:9464" (a pod's IP). The port is
// required (0: any free port, for tests).
Result<MetricsAddress> ParseMetricsAddress(const std::string& spec);

struct MetricsServerOptions {
  size_t max_connections = 16;
  std::chrono::milliseconds client_timeout{5000};
  size_t max_request_bytes = 8192;
  // /healthz fails when the agent's last snapshot is older than this.
  std::chrono::seconds liveness_max_age{30};
};

class MetricsServer {
 public:
  using SnapshotFn = std::function<std::shared_ptr<const AgentSnapshot>()>;
  MetricsServer(MetricsAddress address, SnapshotFn snapshot, MetricsServerOptions options = {});
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and starts the serving thread.
  Status Start();
  void Stop();
  // The bound port (useful with port 0).
  uint16_t port() const { return port_; }
  MetricsServerCounters counters() const;

 private:
  struct Connection;
  void Serve();
  // The answer to one request's head ("GET /metrics HTTP/1.1\r\n...").
  std::string Respond(const std::string& head);

  MetricsAddress address_;
  SnapshotFn snapshot_;
  MetricsServerOptions options_;
  uint16_t port_ = 0;
  std::atomic<uint64_t> requests_{0}, rejected_{0}, timeouts_{0};
  ServerThread server_;  // declared last: stopped (its thread joined) before the rest goes
};

}  // namespace vigil::agent
