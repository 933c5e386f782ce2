#include "agent/metrics_server.h"

#include "util/unique_fd.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

#include "agent/health.h"

namespace vigil::agent {

Result<MetricsAddress> ParseMetricsAddress(const std::string& spec) {
  const auto bad = [&](const std::string& why) -> Result<MetricsAddress> {
    return Error{"--metrics " + spec + ": " + why +
                 " (give HOST:PORT with HOST an IP address or localhost, e.g. 127.0.0.1:9464)"};
  };
  std::string host, port_text;
  if (!spec.empty() && spec.front() == '[') {
    const size_t close = spec.find(']');
    if (close == std::string::npos || close + 1 >= spec.size() || spec[close + 1] != ':')
      return bad("an IPv6 address is written [ADDRESS]:PORT");
    host = spec.substr(1, close - 1);
    port_text = spec.substr(close + 2);
  } else {
    const size_t colon = spec.rfind(':');
    if (colon == std::string::npos) return bad("no port");
    host = spec.substr(0, colon);
    port_text = spec.substr(colon + 1);
    if (host.find(':') != std::string::npos)
      return bad("an IPv6 address is written [ADDRESS]:PORT");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535)
    return bad("the port must be a number from 0 to 65535");
  if (host.empty()) return bad("no host: the endpoint is never bound to every address");
  if (host == "localhost") host = "127.0.0.1";

  MetricsAddress out;
  out.text = spec;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.addr);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    if (v4->sin_addr.s_addr == htonl(INADDR_ANY))
      return bad("0.0.0.0 listens on every address; name the one to listen on");
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    out.len = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    if (IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr))
      return bad(":: listens on every address; name the one to listen on");
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    out.len = sizeof(sockaddr_in6);
  } else {
    return bad("'" + host + "' is not an IP address");
  }
  return out;
}

namespace {

using Fd = UniqueFd;

std::string HttpResponse(int code, const char* reason, const std::string& content_type,
                         const std::string& body, bool head_only) {
  std::string out = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n"
      "Cache-Control: no-store\r\n\r\n",
      code, reason, content_type, body.size());
  if (!head_only) out += body;
  return out;
}

}  // namespace

struct MetricsServer::Connection {
  Fd fd;
  std::chrono::steady_clock::time_point deadline;
  std::string in;
  std::string out;
  size_t sent = 0;
  bool responding = false;
};

MetricsServer::MetricsServer(MetricsAddress address, SnapshotFn snapshot,
                             MetricsServerOptions options)
    : address_(std::move(address)), snapshot_(std::move(snapshot)), options_(options) {}

MetricsServer::~MetricsServer() {
  Stop();
}

Status MetricsServer::Start() {
  const int family = address_.addr.ss_family;
  server_.Adopt(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const int listen_fd = server_.listen_fd();
  if (listen_fd < 0) return Error{std::string("metrics socket: ") + std::strerror(errno)};
  int one = 1;
  ::setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd, reinterpret_cast<const sockaddr*>(&address_.addr), address_.len) != 0)
    return Error{"metrics endpoint: cannot listen on " + address_.text + ": " +
                 std::strerror(errno)};
  if (::listen(listen_fd, 64) != 0)
    return Error{std::string("metrics endpoint: listen: ") + std::strerror(errno)};
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  if (::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&bound), &len) == 0)
    port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                    : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  if (auto started = server_.Start([this] { Serve(); }); !started)
    return Error{"metrics endpoint: " + started.error()};
  return OkStatus();
}

void MetricsServer::Stop() {
  server_.Stop();
}

MetricsServerCounters MetricsServer::counters() const {
  return {requests_.load(), rejected_.load(), timeouts_.load()};
}

std::string MetricsServer::Respond(const std::string& head) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  const size_t line_end = head.find("\r\n");
  const std::string line = head.substr(0, line_end);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string::npos ? std::string::npos : line.find(' ', sp1 + 1);
  if (sp2 == std::string::npos || line.compare(sp2 + 1, 5, "HTTP/") != 0)
    return HttpResponse(400, "Bad Request", "text/plain", "bad request\n", false);
  const std::string method = line.substr(0, sp1);
  std::string path = line.substr(sp1 + 1, sp2 - sp1 - 1);
  path = path.substr(0, path.find('?'));
  const bool head_only = method == "HEAD";
  if (method != "GET" && !head_only)
    return HttpResponse(405, "Method Not Allowed", "text/plain", "only GET and HEAD\n", false);

  std::shared_ptr<const AgentSnapshot> snap = snapshot_();
  if (!snap) return HttpResponse(503, "Service Unavailable", "text/plain", "starting\n", head_only);
  if (path == "/metrics")
    return HttpResponse(200, "OK", "text/plain; version=0.0.4; charset=utf-8",
                        PrometheusText(*snap, counters()), head_only);
  if (path == "/healthz" || path == "/readyz") {
    HealthVerdict v = path == "/healthz" ? CheckAlive(*snap, std::chrono::steady_clock::now(),
                                                      options_.liveness_max_age)
                                         : CheckReady(*snap);
    return v.ok ? HttpResponse(200, "OK", "text/plain", v.Text(), head_only)
                : HttpResponse(503, "Service Unavailable", "text/plain", v.Text(), head_only);
  }
  return HttpResponse(404, "Not Found", "text/plain", "not found: /metrics, /healthz, /readyz\n",
                      head_only);
}

void MetricsServer::Serve() {
  using Clock = std::chrono::steady_clock;
  std::vector<std::unique_ptr<Connection>> conns;
  std::vector<pollfd> pfds;
  while (server_.running()) {
    pfds.clear();
    pfds.push_back({server_.wake_fd(), POLLIN, 0});
    pfds.push_back({server_.listen_fd(), POLLIN, 0});
    Clock::time_point next = Clock::now() + std::chrono::seconds(60);
    for (const auto& c : conns) {
      pfds.push_back({c->fd.get(), static_cast<short>(c->responding ? POLLOUT : POLLIN), 0});
      next = std::min(next, c->deadline);
    }
    const auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
    const int rc = ::poll(pfds.data(), pfds.size(), static_cast<int>(std::max<int64_t>(wait, 0)));
    if (rc < 0 && errno != EINTR) return;
    if (pfds[0].revents) return;  // Stop()
    const auto now = Clock::now();

    // Existing connections first: read the request, or write the answer.
    for (size_t i = 0; i < conns.size(); ++i) {
      Connection& c = *conns[i];
      const short ev = pfds[i + 2].revents;
      bool done = false;
      if (!c.responding && (ev & (POLLIN | POLLHUP | POLLERR))) {
        char buf[2048];
        const ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
          c.in.append(buf, static_cast<size_t>(n));
          const size_t end = c.in.find("\r\n\r\n");
          if ((end == std::string::npos ? c.in.size() : end + 4) > options_.max_request_bytes) {
            c.out = HttpResponse(431, "Request Header Fields Too Large", "text/plain",
                                 "request too large\n", false);
            c.responding = true;
          } else if (end != std::string::npos) {
            c.out = Respond(c.in.substr(0, end + 2));
            c.responding = true;
          }
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          done = true;  // the client went away
        }
      }
      if (c.responding && !done) {
        const ssize_t n = ::send(c.fd.get(), c.out.data() + c.sent, c.out.size() - c.sent,
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) c.sent += static_cast<size_t>(n);
        if (c.sent == c.out.size() || (n < 0 && errno != EAGAIN && errno != EINTR)) done = true;
      }
      if (!done && now >= c.deadline) {
        timeouts_.fetch_add(1, std::memory_order_relaxed);
        done = true;
      }
      if (done) conns[i].reset();
    }
    std::erase_if(conns, [](const auto& c) { return c == nullptr; });

    // New connections: accepted up to the bound; past it, accepted and closed at once.
    if (pfds[1].revents & POLLIN) {
      for (;;) {
        Fd fd(::accept4(server_.listen_fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (fd.get() < 0) break;
        if (conns.size() >= options_.max_connections) {
          rejected_.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
        auto c = std::make_unique<Connection>();
        c->fd = std::move(fd);
        c->deadline = now + options_.client_timeout;
        conns.push_back(std::move(c));
      }
    }
  }
}

}  // namespace vigil::agent
