// Checks a read manifest against itself and the loaded plugins: duplicate task names, unknown
// or repeated dependencies, cycles, unknown plugins and task types, `with:` keys and types
// against each task type's declared parameters, every ${...} reference, every `if:` condition's
// types and names (manifest/condition_validation.h), and that every declared
// secret has a value (looked up through `env`: manifest/secret_source.h). Reports all
// problems at once; a manifest with none can be run.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "graph/dag.h"
#include "manifest/diagnostic.h"
#include "manifest/manifest.h"
#include "plugin/plugin_registry.h"

namespace flowweaver {

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
std::optional<std::string> process_env(const std::string& name);

// What validation works out on the way, so a caller that goes on to run need not repeat it.
struct ValidationResult {
  Dag dag{0};                           // as build_dag() builds it
  std::vector<TaskTypeRef> task_types;  // per task, manifest order; empty where `uses` is wrong
  std::map<std::string, std::string> secrets;  // declared name -> value (manifest/secret_source.h)
};

// Reports every problem to `diagnostics`. When `result` is given, it receives the graph and
// task types (complete only when nothing was reported).
void validate_manifest(const Manifest& manifest, const PluginRegistry& plugins,
                       const EnvLookup& env, DiagnosticList* diagnostics,
                       ValidationResult* result = nullptr);

// Task name -> index in manifest order (the first of duplicates wins).
std::unordered_map<std::string, uint32_t> index_tasks(const Manifest& manifest);

// The manifest's dependency graph; dependencies on unknown tasks are left out.
Dag build_dag(const Manifest& manifest);

// Does `value` fit the declared parameter type? (see fw_param in plugin.h)
bool value_has_type(const nlohmann::json& value, const std::string& type);

}  // namespace flowweaver
