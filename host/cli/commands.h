// The subcommands other than `run` (see engine.h). Each prints to stdout, reports problems on
// stderr and returns the process exit code.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace flowweaver {

using PathList = std::vector<std::filesystem::path>;

int validate_command(const std::string& file, const PathList& plugin_dirs);
int plugins_command(const PathList& plugin_dirs, const std::string& describe, bool json);
int graph_command(const std::string& file, const PathList& plugin_dirs);

// Where the state lives: --state if given, else the default for the manifest's workflow name.
// Throws Error::InvalidArgument when neither is usable.
std::string resolve_state_path(const std::string& file, const std::string& state_path);

int status_command(const std::string& file, const std::string& state_path,
                   const std::string& run_id, bool json);
int history_command(const std::string& file, const std::string& state_path, size_t limit,
                    bool json);
int plan_command(const std::string& file, const std::string& state_path, bool fresh,
                 const PathList& plugin_dirs, bool json);
int reset_command(const std::string& file, const std::string& task, const std::string& state_path);

}  // namespace flowweaver
