// The agent's control socket: a Unix stream socket, mode 0600, accepting only root (checked
// with SO_PEERCRED). One JSON request line in, one JSON response line out. `vigil status`
// and `vigil reload` are its clients.
#pragma once

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/server_thread.h"
#include "util/result.h"

namespace vigil::agent {

inline constexpr const char* kDefaultControlSocket = "/run/vigil/vigil.sock";

class ControlServer {
 public:
  using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;
  ControlServer(std::string path, Handler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Creates the socket (and its directory, mode 0700) and starts serving. A stale socket from
  // a killed agent is replaced; a live one is an error.
  Status Start();
  void Stop();
  const std::string& path() const { return path_; }

 private:
  void Serve();
  void HandleClient(int fd);

  std::string path_;
  Handler handler_;
  ServerThread server_;
};

// Sends one request and returns the response, or why there is none.
Result<nlohmann::json> ControlRequest(const std::string& path, const nlohmann::json& request,
                                      int timeout_ms = 30000);

}  // namespace vigil::agent
