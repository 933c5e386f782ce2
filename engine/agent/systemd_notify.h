// Tells systemd how the agent is doing (the sd_notify(3) protocol, spoken directly rather than
// through libsystemd; for `Type=notify` units): READY=1 once
// the sensors are attached and the first policy set is active, RELOADING=1 / READY=1 around a
// reload, STOPPING=1 at shutdown, STATUS= a one-line summary. Without $NOTIFY_SOCKET (not run
// by systemd, or `Type=simple`) every call does nothing and says so.
#pragma once

#include <string>

namespace vigil::agent {

// Each returns true when the message was sent, false when there is no notify socket; a socket
// that cannot be written is logged (once) and also returns false.
bool NotifyReady(const std::string& status);
bool NotifyReloading();
bool NotifyStopping();

}  // namespace vigil::agent
