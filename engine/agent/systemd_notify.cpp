#include "agent/systemd_notify.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "util/result.h"
#include "util/unique_fd.h"

namespace vigil::agent {
namespace {

// The notify protocol (sd_notify(3), stable): the message is one datagram on an AF_UNIX
// socket whose address is $NOTIFY_SOCKET, a path or, with a leading '@', a name in the abstract
// namespace. Written here rather than linked from libsystemd, whose dependencies (gcrypt, lz4,
// zstd, lzma) cost every vigil command start-up time. true: sent; false: no $NOTIFY_SOCKET;
// otherwise an error to log.
Result<bool> SendToNotifySocket(const std::string& message) {
  const char* address = std::getenv("NOTIFY_SOCKET");
  if (!address || !*address) return false;
  const size_t length = std::strlen(address);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if ((address[0] != '/' && address[0] != '@') || length >= sizeof addr.sun_path)
    return Error{"NOTIFY_SOCKET '" + std::string(address) +
                 "' is not a socket path or an @abstract name that fits a socket address"};
  std::memcpy(addr.sun_path, address, length);
  socklen_t addr_length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);
  if (address[0] == '@')
    addr.sun_path[0] = '\0';  // abstract: the name is the `length` bytes, no terminator
  else
    ++addr_length;  // a path: with its terminating NUL
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Error{std::string("socket: ") + std::strerror(errno)};
  const ssize_t sent = ::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&addr), addr_length);
  if (sent < 0) return Error{std::string(address) + ": " + std::strerror(errno)};
  if (static_cast<size_t>(sent) != message.size())
    return Error{std::string(address) + ": the message was cut short"};
  return true;
}

bool Send(const std::string& message) {
  auto sent = SendToNotifySocket(message);
  if (sent) return *sent;
  static std::atomic<bool> logged{false};
  if (!logged.exchange(true)) spdlog::warn("systemd notification failed: {}", sent.error());
  return false;
}

std::string OneLine(std::string s) {
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

}  // namespace

bool NotifyReady(const std::string& status) {
  return Send("READY=1\nSTATUS=" + OneLine(status));
}

bool NotifyReloading() {
  return Send("RELOADING=1");
}

bool NotifyStopping() {
  return Send("STOPPING=1");
}

}  // namespace vigil::agent
