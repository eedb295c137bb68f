#include "plugin/plugin_registry.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "util/error.h"
#include "util/install_layout.h"

#ifndef FLOWWEAVER_PLUGIN_DIR_FROM_BINDIR
#define FLOWWEAVER_PLUGIN_DIR_FROM_BINDIR "../lib/flowweaver/plugins"
#endif

namespace flowweaver {

void PluginRegistry::load_directories(const std::vector<std::filesystem::path>& directories) {
  std::set<std::filesystem::path> visited;  // the same directory named twice is read once
  for (const std::filesystem::path& dir : directories) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    if (!visited.insert(std::filesystem::weakly_canonical(dir, ec)).second) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".so") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const std::filesystem::path& file : files) {
      try {
        std::shared_ptr<const LoadedPlugin> plugin = load_plugin(file);
        if (!add(plugin)) {
          failures_.push_back({file, "plugin " + file.string() + ": plugin '" + plugin->name() +
                                         "' is already loaded from " +
                                         find(plugin->name())->path().string() + "; ignored"});
        }
      } catch (const Error& e) {
        failures_.push_back({file, e.what()});
      }
    }
  }
}

bool PluginRegistry::add(std::shared_ptr<const LoadedPlugin> plugin) {
  return plugins_.emplace(plugin->name(), std::move(plugin)).second;
}

std::shared_ptr<const LoadedPlugin> PluginRegistry::find(const std::string& name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : it->second;
}

TaskTypeRef PluginRegistry::find_task_type(const std::string& uses) const {
  size_t dot = uses.find('.');
  if (dot == std::string::npos) return {};
  std::shared_ptr<const LoadedPlugin> plugin = find(uses.substr(0, dot));
  if (!plugin) return {};
  const TaskTypeInfo* type = plugin->find_task_type(uses.substr(dot + 1));
  return type ? TaskTypeRef{plugin, type} : TaskTypeRef{};
}

std::vector<std::shared_ptr<const LoadedPlugin>> PluginRegistry::plugins() const {
  std::vector<std::shared_ptr<const LoadedPlugin>> out;
  for (const auto& [name, plugin] : plugins_) out.push_back(plugin);
  return out;
}

std::vector<std::string> PluginRegistry::plugin_names() const {
  std::vector<std::string> out;
  for (const auto& [name, plugin] : plugins_) out.push_back(name);
  return out;
}

std::vector<std::filesystem::path> plugin_search_path(
    const std::vector<std::filesystem::path>& from_command_line) {
  std::vector<std::filesystem::path> dirs = from_command_line;
  if (const char* env = std::getenv("FLOWWEAVER_PLUGIN_PATH")) {
    std::string value = env;
    size_t start = 0;
    while (start <= value.size()) {
      size_t end = value.find(':', start);
      if (end == std::string::npos) end = value.size();
      if (end > start) dirs.emplace_back(value.substr(start, end - start));
      start = end + 1;
    }
  }
  std::filesystem::path installed = installed_path(FLOWWEAVER_PLUGIN_DIR_FROM_BINDIR, "");
  if (!installed.empty()) dirs.push_back(installed);
  return dirs;
}

}  // namespace flowweaver
