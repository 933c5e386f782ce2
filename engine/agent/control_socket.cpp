#include "agent/control_socket.h"

#include "util/unique_fd.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vigil::agent {
namespace {

// Owns a file descriptor.
using Fd = UniqueFd;

bool FillAddress(const std::string& path, sockaddr_un& addr) {
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return true;
}

// Reads one line (up to a bound) with a deadline.
bool ReadLine(int fd, std::string& out, int timeout_ms) {
  out.clear();
  char c;
  while (out.size() < (1u << 20)) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, timeout_ms) <= 0) return false;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return !out.empty();
    if (c == '\n') return true;
    out += c;
  }
  return false;
}

bool WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

ControlServer::ControlServer(std::string path, Handler handler)
    : path_(std::move(path)), handler_(std::move(handler)) {}

ControlServer::~ControlServer() {
  Stop();
}

Status ControlServer::Start() {
  namespace fs = std::filesystem;
  sockaddr_un addr;
  if (!FillAddress(path_, addr)) return Error{"control socket path too long: " + path_};
  fs::path dir = fs::path(path_).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    if (fs::create_directories(dir, ec)) ::chmod(dir.c_str(), 0700);
  }
  // A socket file that nobody answers on is left over from a killed agent.
  {
    if (ControlRequest(path_, {{"command", "ping"}}, 1000))
      return Error{"another vigil agent is already listening on " + path_};
    ::unlink(path_.c_str());
  }
  server_.Adopt(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int listen_fd = server_.listen_fd();
  if (listen_fd < 0) return Error{std::string("socket: ") + std::strerror(errno)};
  mode_t old = ::umask(0177);  // the socket is created 0600
  int rc = ::bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (rc != 0) return Error{"bind " + path_ + ": " + std::strerror(errno)};
  ::chmod(path_.c_str(), 0600);
  if (::listen(listen_fd, 16) != 0) return Error{std::string("listen: ") + std::strerror(errno)};
  return server_.Start([this] { Serve(); });
}

void ControlServer::Stop() {
  if (server_.Stop()) ::unlink(path_.c_str());
}

void ControlServer::Serve() {
  while (server_.running()) {
    pollfd pfds[2] = {{server_.listen_fd(), POLLIN, 0}, {server_.wake_fd(), POLLIN, 0}};
    if (::poll(pfds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (pfds[1].revents) return;
    if (!(pfds[0].revents & POLLIN)) continue;
    int fd = ::accept4(server_.listen_fd(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    HandleClient(fd);
  }
}

void ControlServer::HandleClient(int raw_fd) {
  Fd fd(raw_fd);
  ucred cred{};
  socklen_t len = sizeof cred;
  nlohmann::json response;
  std::string line;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
      (cred.uid != 0 && cred.uid != ::geteuid())) {
    response = {{"ok", false}, {"error", "permission denied: the control socket is for root only"}};
  } else if (!ReadLine(fd.get(), line, 5000)) {
    return;
  } else {
    nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
    if (request.is_discarded() || !request.is_object()) {
      response = {{"ok", false}, {"error", "malformed request: expected one JSON object per line"}};
    } else if (request.value("command", "") == "ping") {
      response = {{"ok", true}};
    } else {
      response = handler_(request);
    }
  }
  WriteAll(fd.get(),
           response.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Result<nlohmann::json> ControlRequest(const std::string& path, const nlohmann::json& request,
                                      int timeout_ms) {
  sockaddr_un addr;
  if (!FillAddress(path, addr)) {
    return Error{"control socket path too long"};
  }
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0 || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return Error{"cannot reach the agent at " + path + ": " + std::strerror(errno) +
                 " (is `vigil run` running?)"};
  }
  if (!WriteAll(fd.get(), request.dump() + "\n")) {
    return Error{std::string("cannot send to the agent: ") + std::strerror(errno)};
  }
  std::string line;
  if (!ReadLine(fd.get(), line, timeout_ms)) {
    return Error{"no answer from the agent within " + std::to_string(timeout_ms / 1000) + " s"};
  }
  auto response = nlohmann::json::parse(line, nullptr, false);
  if (response.is_discarded()) {
    return Error{"malformed answer from the agent"};
  }
  return response;
}

}  // namespace vigil::agent
