// libFuzzer target: a manifest's bytes through what `flowweaver validate` does with them
// (load_workflow() in workflow.cpp, without the file and the plugin directories): the YAML
// document, the reader, validation against the unit tests' "test" plugin, the params'
// references. Whatever the bytes, that must end in a workflow or in diagnostics; a crash, an
// uncaught exception, a leak, a hang or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "manifest/manifest_document.h"
#include "manifest/manifest_reader.h"
#include "manifest/template.h"
#include "manifest/validator.h"
#include "test_registry.h"

namespace flowweaver {
namespace {

// A fixed environment, so that what a run does depends on the input alone.
std::optional<std::string> fuzz_env(const std::string& name) {
  if (name == "HOME") return "/home/fuzz";
  return std::nullopt;
}

void load_and_validate(std::string_view text) {
  static const PluginRegistry registry = testing::test_registry();
  DiagnosticList diagnostics("fuzz.yaml");
  std::optional<YamlTree> document = load_manifest_document(text, &diagnostics);
  if (document) {
    Manifest manifest = read_manifest_document(*document, &diagnostics);
    ValidationResult validated;
    validate_manifest(manifest, registry, fuzz_env, &diagnostics, &validated);
    if (diagnostics.empty()) {
      validated.dag.topological_order();
      TemplateScope scope;
      scope.env = fuzz_env;
      scope.manifest_dir = "/fuzz";
      try {
        resolve_templates(manifest.params, scope);
      } catch (const std::exception&) {
        // Reported as a diagnostic by load_workflow(): a normal outcome.
      }
    }
  }
  diagnostics.to_string();
}

}  // namespace
}  // namespace flowweaver

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  flowweaver::load_and_validate(text);
  return 0;
}
