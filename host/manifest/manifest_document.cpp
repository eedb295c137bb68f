#include "manifest/manifest_document.h"

#include "manifest/yaml_document.h"

namespace flowweaver {

std::optional<YamlTree> load_manifest_document(std::string_view text, DiagnosticList* diagnostics) {
  return load_yaml_tree(text, "manifest", diagnostics);
}

}  // namespace flowweaver
