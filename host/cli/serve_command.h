// `flowweaver serve`: the service (service/service.h) with its HTTP API, signals and systemd
// notifications.
#pragma once

#include <string>

#include "cli/commands.h"

namespace flowweaver {

struct ServeOptions {
  std::string config_file;  // empty: every setting at its default
  std::string listen;       // ADDR:PORT overriding the config's `listen`
  PathList plugin_dirs;     // --plugin-dir values, searched before the config's
  std::string log_level = "info";
};

// 0 after a clean stop (SIGTERM/SIGINT), 2 for a bad config or option, 3 when the service cannot
// start (directories, port in use).
int serve_command(const ServeOptions& options);

}  // namespace flowweaver
