// Tells systemd (Type=notify) how the service is doing. Every call is a no-op when the service
// was not started by systemd (no NOTIFY_SOCKET).
#pragma once

#include <optional>
#include <string>

#include "util/clock.h"

namespace flowweaver {

class SystemdNotifier {
 public:
  void ready();
  void stopping();
  void status(const std::string& text);
  void watchdog();
  void reloading();
  // Half of WATCHDOG_USEC when systemd watches this process: how often watchdog() is due.
  std::optional<Millis> watchdog_interval() const;
};

}  // namespace flowweaver
