// One plugin as the host sees it: what its descriptor declared, copied into host-owned
// structures, plus the library that must stay loaded while any of its code may run.
#pragma once

#include <flowweaver/plugin.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace flowweaver {

struct ParamDecl {
  std::string name;
  std::string type;  // see fw_param in plugin.h
  bool required = false;
  std::optional<nlohmann::json> default_value;
  std::string description;
};

struct TaskTypeInfo {
  std::string name;
  std::string description;
  std::vector<ParamDecl> params;
  bool open_params = false;
  fw_run_fn run = nullptr;
  const void* task_data = nullptr;

  const ParamDecl* find_param(const std::string& param) const;
};

class LoadedPlugin {
 public:
  // Copies and checks the descriptor; throws Error::PluginLoad naming `path` on any problem.
  // `keep_alive` owns whatever keeps the descriptor's code mapped (the library), or is null
  // for a descriptor linked into the host itself (tests).
  LoadedPlugin(const fw_plugin* descriptor, std::filesystem::path path,
               std::shared_ptr<void> keep_alive, std::string sha256 = "",
               std::filesystem::path loaded_from = {});

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const std::filesystem::path& path() const { return path_; }
  // The file the library was loaded from: path(), or the private copy it was loaded from
  // (load_plugin). A child process running one of its tasks loads this file, so that it runs
  // the very code this host loaded even after a new version was deployed at path().
  const std::filesystem::path& loaded_from() const {
    return loaded_from_.empty() ? path_ : loaded_from_;
  }
  // Of the bytes loaded; empty for a descriptor linked into the host.
  const std::string& sha256() const { return sha256_; }
  const std::vector<TaskTypeInfo>& task_types() const { return task_types_; }
  const TaskTypeInfo* find_task_type(const std::string& name) const;
  std::vector<std::string> task_type_names() const;

 private:
  std::string name_, version_;
  std::filesystem::path path_;
  std::filesystem::path loaded_from_;
  std::vector<TaskTypeInfo> task_types_;
  std::shared_ptr<void> keep_alive_;
  std::string sha256_;
};

// A task type together with the plugin that keeps its code loaded.
struct TaskTypeRef {
  std::shared_ptr<const LoadedPlugin> plugin;
  const TaskTypeInfo* type = nullptr;
};

// Loads the shared object at `path` (resolving every symbol now, keeping them local), finds the
// entry symbol and checks the ABI version before reading anything else. Throws
// Error::PluginLoad with the file and the reason: owned or writable by someone else (see
// plugin_file_check.h; checked before any of its code can run), not a shared object, missing
// entry symbol, wrong ABI version, malformed descriptor. When `copy` is given, the library is
// loaded from that private copy of `path` (see service/plugin_catalog.h) while messages still name
// `path`.
std::shared_ptr<const LoadedPlugin> load_plugin(const std::filesystem::path& path,
                                                const std::filesystem::path& copy = {});

}  // namespace flowweaver
