#include "cli/shared_options.h"

#include <CLI/CLI.hpp>

namespace flowweaver {

void add_plugin_dir_option(CLI::App* command, PathList* dirs) {
  command->add_option("--plugin-dir", *dirs,
                      "Directory of plugin .so files, searched before FLOWWEAVER_PLUGIN_PATH and "
                      "the installed default (repeatable)");
}

CLI::Option* add_state_option(CLI::App* command, std::string* path, const std::string& help) {
  return command->add_option("--state", *path, help);
}

void add_json_flag(CLI::App* command, bool* json) {
  command->add_flag("--json", *json, "Machine-readable output");
}

void add_log_level_option(CLI::App* command, std::string* level, const std::string& help) {
  command->add_option("--log-level", *level, help)
      ->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
}

}  // namespace flowweaver
