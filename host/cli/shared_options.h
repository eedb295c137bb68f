// Options that several subcommands take, declared in one place so that their names, checks and
// help agree. Where commands word the help differently, the caller passes its own text.
#pragma once

#include <string>

#include "cli/commands.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace flowweaver {

// --plugin-dir, repeatable: searched before FLOWWEAVER_PLUGIN_PATH and the installed default.
void add_plugin_dir_option(CLI::App* command, PathList* dirs);

// --state PATH.
CLI::Option* add_state_option(CLI::App* command, std::string* path,
                              const std::string& help = "State file");

// --json: machine-readable output instead of the table or text.
void add_json_flag(CLI::App* command, bool* json);

// --log-level, one of the levels make_logger() knows; the default shown is *level's value.
void add_log_level_option(CLI::App* command, std::string* level, const std::string& help);

}  // namespace flowweaver
