// serve's options. Both executables parse them the same way: flowweaver to check them before it
// execs flowweaver-serve, which parses them again to run the service.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/serve_command.h"
#include "cli/shared_options.h"

namespace flowweaver {

void add_serve_command(CommandRegistry& commands, const ServeEntry& serve_entry) {
  auto serve = std::make_shared<ServeOptions>();
  CLI::App* cmd = commands.add(
      "serve", "Run as a service: schedules, HTTP health/metrics/API, hot plugin deployment",
      [serve, serve_entry] { return serve_entry(*serve); });
  cmd->add_option("--config", serve->config_file,
                  "Host config (YAML); without it every setting has its default");
  cmd->add_option("--listen", serve->listen,
                  "ADDR:PORT to serve HTTP on, overriding the config (port 0: any free one)");
  add_log_level_option(cmd, &serve->log_level, "debug, info, warn or error");
  add_plugin_dir_option(cmd, &serve->plugin_dirs);
}

}  // namespace flowweaver
