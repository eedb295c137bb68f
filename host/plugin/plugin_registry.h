// The plugins available to a run: every *.so found in the plugin directories, by name.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "plugin/loaded_plugin.h"

namespace flowweaver {

struct PluginLoadFailure {
  std::filesystem::path path;
  std::string message;
};

class PluginRegistry {
 public:
  // Loads every regular `*.so` in each directory, in order, files sorted by name. A file that
  // fails to load is recorded in failures() and skipped; a plugin name already loaded from an
  // earlier directory is kept and the later file recorded as shadowed. Missing directories are
  // skipped silently (the default search path need not exist).
  void load_directories(const std::vector<std::filesystem::path>& directories);

  // Adds an already-loaded plugin; false if its name is taken.
  bool add(std::shared_ptr<const LoadedPlugin> plugin);

  std::shared_ptr<const LoadedPlugin> find(const std::string& name) const;
  // "plugin.type" -> the task type, or an empty ref.
  TaskTypeRef find_task_type(const std::string& uses) const;

  std::vector<std::shared_ptr<const LoadedPlugin>> plugins() const;
  std::vector<std::string> plugin_names() const;
  const std::vector<PluginLoadFailure>& failures() const { return failures_; }

 private:
  std::map<std::string, std::shared_ptr<const LoadedPlugin>> plugins_;
  std::vector<PluginLoadFailure> failures_;
};

// The search path: `--plugin-dir` values, then FLOWWEAVER_PLUGIN_PATH (colon-separated), then
// the default beside the executable (<prefix>/<libdir>/flowweaver/plugins).
std::vector<std::filesystem::path> plugin_search_path(
    const std::vector<std::filesystem::path>& from_command_line);

}  // namespace flowweaver
