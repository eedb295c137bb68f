#include "service/systemd_notifier.h"

#include <systemd/sd-daemon.h>

namespace flowweaver {

void SystemdNotifier::ready() { sd_notify(0, "READY=1"); }

void SystemdNotifier::stopping() { sd_notify(0, "STOPPING=1"); }

void SystemdNotifier::reloading() { sd_notify(0, "RELOADING=1"); }

void SystemdNotifier::status(const std::string& text) { sd_notifyf(0, "STATUS=%s", text.c_str()); }

void SystemdNotifier::watchdog() { sd_notify(0, "WATCHDOG=1"); }

std::optional<Millis> SystemdNotifier::watchdog_interval() const {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::duration_cast<Millis>(std::chrono::microseconds(usec / 2));
}

}  // namespace flowweaver
