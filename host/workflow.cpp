#include "workflow.h"

#include <cstdio>

#include "manifest/manifest_reader.h"
#include "manifest/template.h"

namespace flowweaver {

std::string content_hash(std::string_view bytes) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

std::string default_state_path(const std::string& workflow_name) {
  return "var/" + workflow_name + ".db";
}

std::optional<Workflow> load_workflow(const std::string& file,
                                      const std::vector<std::filesystem::path>& plugin_dirs,
                                      const EnvLookup& env, DiagnosticList* diagnostics) {
  auto plugins = std::make_shared<PluginRegistry>();
  plugins->load_directories(plugin_dirs);
  return load_workflow(file, std::move(plugins), env, diagnostics);
}

std::optional<Workflow> load_workflow(const std::string& file,
                                      std::shared_ptr<const PluginRegistry> plugins,
                                      const EnvLookup& env, DiagnosticList* diagnostics) {
  std::optional<std::string> text = read_manifest_text(file, diagnostics);
  if (!text) return std::nullopt;
  Workflow w;
  w.manifest_hash = content_hash(*text);
  w.manifest = parse_manifest(*text, file, diagnostics);
  w.plugins = std::move(plugins);
  validate_manifest(w.manifest, *w.plugins, env, diagnostics);
  if (!diagnostics->empty()) return std::nullopt;
  w.dag = build_dag(w.manifest);
  for (const TaskSpec& t : w.manifest.tasks)
    w.task_types.push_back(w.plugins->find_task_type(t.uses));
  TemplateScope scope;
  scope.env = env;
  scope.manifest_dir = manifest_directory(file);
  try {
    w.params = resolve_templates(w.manifest.params, scope);
  } catch (const std::exception& e) {
    diagnostics->add(w.manifest.name_location, std::string("params: ") + e.what());
    return std::nullopt;
  }
  return w;
}

}  // namespace flowweaver
