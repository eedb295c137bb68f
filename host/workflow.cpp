#include "workflow.h"

#include <cstdio>

#include "manifest/manifest_document.h"
#include "manifest/manifest_reader.h"
#include "manifest/template.h"
#include "state/state_location.h"

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
  return state_file_in("var", workflow_name);
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
  std::optional<YamlTree> document = load_manifest_document(*text, diagnostics);
  text.reset();  // the document holds all it needs: free the file's bytes early
  if (!document) return std::nullopt;
  w.manifest = read_manifest_document(*document, diagnostics);
  document.reset();
  w.plugins = std::move(plugins);
  ValidationResult validated;
  validate_manifest(w.manifest, *w.plugins, env, diagnostics, &validated);
  if (!diagnostics->empty()) return std::nullopt;
  w.dag = std::move(validated.dag);
  w.task_types = std::move(validated.task_types);
  w.secrets = std::move(validated.secrets);
  std::vector<std::string> values;
  for (const auto& [name, value] : w.secrets) values.push_back(value);
  w.secret_mask = SecretMask(values);
  return w;
}

}  // namespace flowweaver
