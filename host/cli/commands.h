// The subcommands of `flowweaver`. Each add_*_command declares one subcommand, its options and
// help (see command_registry.h); command_line.cpp calls them in the order --help lists them.
// The *_command functions below do the work of those other than `run` (see engine.h) and
// `serve` (serve_command.h): each prints to stdout, reports problems on stderr and returns the
// process exit code.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/command_registry.h"

namespace flowweaver {

using PathList = std::vector<std::filesystem::path>;

// Each in <name>_command.cpp, but for status, history and reset (state_commands.cpp) and graph
// (validate_command.cpp).
void add_run_command(CommandRegistry& commands);
void add_validate_command(CommandRegistry& commands);
void add_plugins_command(CommandRegistry& commands);
void add_status_command(CommandRegistry& commands);
void add_history_command(CommandRegistry& commands);
void add_graph_command(CommandRegistry& commands);
void add_plan_command(CommandRegistry& commands);
void add_reset_command(CommandRegistry& commands);
void add_mark_command(CommandRegistry& commands);    // mark_command.cpp
void add_cancel_command(CommandRegistry& commands);  // cancel_command.cpp
void add_check_command(CommandRegistry& commands);
void add_backup_command(CommandRegistry& commands);
void add_migrate_state_command(CommandRegistry& commands);  // migrate_state_command.cpp
void add_logs_command(CommandRegistry& commands);
void add_new_plugin_command(CommandRegistry& commands);

int validate_command(const std::string& file, const PathList& plugin_dirs);
int plugins_command(const PathList& plugin_dirs, const std::string& describe, bool json);
int graph_command(const std::string& file, const PathList& plugin_dirs);

// Where the state lives: --state if given, else the default for the manifest's workflow name.
// Throws Error::InvalidArgument when neither is usable.
std::string resolve_state_path(const std::string& file, const std::string& state_path);

// `state_path` may also be a directory of state files (see cli/state_directory.h); `workflow`
// selects one workflow when there is no manifest FILE.
// `watch`: follow the run's progress until it is final (cli/status_watch.h) and then show it;
// exit code 0 if it COMPLETED, 1 if not.
int status_command(const std::string& file, const std::string& state_path,
                   const std::string& run_id, bool json, const std::string& workflow = "",
                   bool watch = false);
int history_command(const std::string& file, const std::string& state_path, size_t limit, bool json,
                    const std::string& workflow = "");
int plan_command(const std::string& file, const std::string& state_path, bool fresh,
                 const PathList& plugin_dirs, bool json);
int reset_command(const std::string& file, const std::string& task, const std::string& state_path);

// The operator's runbook commands (see README "Operating"). check: 0 all well, 1 something needs
// attention, 3 not a readable state. backup: 0 done, 2 DEST is unusable as given, 3 the state or
// DEST's directory cannot be used; the state file is never changed.
int check_command(const std::string& state_path, bool json);
int backup_command(const std::string& state_path, const std::string& dest);

// new-plugin: 0 written, 2 a bad name, language or directory (nothing written), 3 a file could
// not be written (none is left behind).
int new_plugin_command(const std::string& name, const std::string& language,
                       const std::string& dir);

}  // namespace flowweaver
