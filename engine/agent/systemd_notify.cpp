#include "agent/systemd_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <atomic>
#include <cstring>

namespace vigil::agent {
namespace {

bool Send(const std::string& message) {
  // unset_environment = 0: later messages (reload, stop) go to the same socket.
  const int rc = ::sd_notify(0, message.c_str());
  if (rc > 0) return true;
  if (rc < 0) {
    static std::atomic<bool> logged{false};
    if (!logged.exchange(true)) spdlog::warn("systemd notification failed: {}", std::strerror(-rc));
  }
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
