// `flowweaver serve`: the service (service/service.h) with its HTTP API, signals and systemd
// notifications.
#pragma once

#include <functional>
#include <string>

#include "cli/command_registry.h"
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

// What `serve` does once its options are parsed: serve_command in flowweaver-serve; in
// flowweaver, an exec of flowweaver-serve, so that only it loads the service's libraries.
using ServeEntry = std::function<int(const ServeOptions&)>;

// `serve` and its options (serve_command_line.cpp, linked into both executables).
void add_serve_command(CommandRegistry& commands, const ServeEntry& serve_entry);

}  // namespace flowweaver
