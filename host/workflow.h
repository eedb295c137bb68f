// A manifest read, checked and ready to run: everything `validate`, `plan`, `graph` and `run`
// share before they differ.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/dag.h"
#include "manifest/diagnostic.h"
#include "manifest/manifest.h"
#include "manifest/validator.h"
#include "plugin/plugin_registry.h"
#include "util/secret_mask.h"

namespace flowweaver {

struct Workflow {
  Manifest manifest;
  Dag dag{0};
  std::shared_ptr<const PluginRegistry> plugins;
  std::vector<TaskTypeRef> task_types;  // per task, manifest order
  std::string manifest_hash;            // of the file's bytes
  // The declared secrets' values, read when the manifest was loaded; the mask hides them in
  // everything a run stores or logs.
  std::map<std::string, std::string> secrets;
  SecretMask secret_mask;
};

// Reads `file`, loads the plugins from `plugin_dirs`, validates. Returns nothing when there is
// any problem, all of them in `diagnostics`.
std::optional<Workflow> load_workflow(const std::string& file,
                                      const std::vector<std::filesystem::path>& plugin_dirs,
                                      const EnvLookup& env, DiagnosticList* diagnostics);

// The same with plugins already loaded (the service's current set), kept alive by the result.
std::optional<Workflow> load_workflow(const std::string& file,
                                      std::shared_ptr<const PluginRegistry> plugins,
                                      const EnvLookup& env, DiagnosticList* diagnostics);

// A stable 64-bit FNV-1a hash of the bytes, as 16 hex digits.
std::string content_hash(std::string_view bytes);

// ./var/<workflow>.db: where a workflow's state lives unless --state says otherwise.
std::string default_state_path(const std::string& workflow_name);

}  // namespace flowweaver
