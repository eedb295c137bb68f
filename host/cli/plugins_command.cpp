// plugins: the plugins found on the search path, or one plugin's task types in detail.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "engine.h"
#include "plugin/plugin_registry.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

nlohmann::json plugin_json(const LoadedPlugin& p) {
  nlohmann::json types = nlohmann::json::array();
  for (const TaskTypeInfo& t : p.task_types()) {
    nlohmann::json params = nlohmann::json::array();
    for (const ParamDecl& d : t.params) {
      params.push_back({{"name", d.name},
                        {"type", d.type},
                        {"required", d.required},
                        {"default", d.default_value.value_or(nullptr)},
                        {"description", d.description}});
    }
    types.push_back({{"name", t.name},
                     {"description", t.description},
                     {"open_params", t.open_params},
                     {"params", params}});
  }
  return {{"name", p.name()},
          {"version", p.version()},
          {"file", p.path().string()},
          {"sha256", p.sha256()},
          {"task_types", types}};
}

void describe(const LoadedPlugin& p) {
  std::cout << p.name() << " " << p.version() << " (" << p.path().string() << ")\n"
            << "  sha256 " << p.sha256() << "\n";
  for (const TaskTypeInfo& t : p.task_types()) {
    std::cout << "\n  " << p.name() << "." << t.name << ": " << t.description << "\n";
    if (t.params.empty()) std::cout << "    (no declared parameters)\n";
    for (const ParamDecl& d : t.params) {
      std::cout << "    " << d.name << " (" << d.type << ", "
                << (d.required ? "required" : "default " + d.default_value.value_or(nullptr).dump())
                << "): " << d.description << "\n";
    }
    if (t.open_params) std::cout << "    (accepts any other keys too)\n";
  }
}

}  // namespace

int plugins_command(const PathList& plugin_dirs, const std::string& describe_name, bool json) {
  PluginRegistry registry;
  registry.load_directories(plugin_dirs);
  if (!describe_name.empty()) {
    auto plugin = registry.find(describe_name);
    if (!plugin) {
      std::cerr << "error: no plugin '" << describe_name << "'"
                << did_you_mean(describe_name, registry.plugin_names())
                << "; loaded: " << join(registry.plugin_names()) << "\n";
      return kExitInvalid;
    }
    if (json) {
      std::cout << plugin_json(*plugin).dump(2) << "\n";
    } else {
      describe(*plugin);
    }
    return kExitOk;
  }
  if (json) {
    nlohmann::json out = {{"plugins", nlohmann::json::array()},
                          {"failures", nlohmann::json::array()}};
    for (const auto& p : registry.plugins()) out["plugins"].push_back(plugin_json(*p));
    for (const auto& f : registry.failures()) {
      out["failures"].push_back({{"file", f.path.string()}, {"error", f.message}});
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "Plugin search path:\n";
  for (const auto& dir : plugin_dirs) std::cout << "  " << dir.string() << "\n";
  std::cout << "\n";
  if (registry.plugins().empty()) std::cout << "No plugins found.\n";
  for (const auto& p : registry.plugins()) {
    std::cout << p->name() << " " << p->version() << "  " << p->path().string() << "\n"
              << "  sha256 " << p->sha256() << "\n";
    for (const TaskTypeInfo& t : p->task_types()) {
      std::cout << "  " << p->name() << "." << t.name << "  " << t.description << "\n";
    }
  }
  for (const auto& f : registry.failures()) std::cerr << "warning: " << f.message << "\n";
  return kExitOk;
}

void add_plugins_command(CommandRegistry& commands) {
  struct Arguments {
    std::string describe;
    bool json = false;
    PathList plugin_dirs;
  };
  auto args = std::make_shared<Arguments>();
  CLI::App* cmd = commands.add("plugins", "List the plugins found and their tasks", [args] {
    return plugins_command(plugin_search_path(args->plugin_dirs), args->describe, args->json);
  });
  cmd->add_option("--describe", args->describe, "Show one plugin's task types and parameters");
  add_json_flag(cmd, &args->json);
  add_plugin_dir_option(cmd, &args->plugin_dirs);
}

}  // namespace flowweaver
