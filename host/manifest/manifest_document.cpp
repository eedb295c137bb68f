#include "manifest/manifest_document.h"

#include "manifest/plain_yaml.h"
#include "manifest/yaml_document.h"

namespace flowweaver {

std::optional<YamlTree> load_manifest_document(std::string_view text, DiagnosticList* diagnostics) {
  // The fast reader only takes printable ASCII in a subset it reads exactly as yaml-cpp does;
  // everything else, and every error, goes to yaml-cpp.
  if (std::optional<YamlTree> tree = parse_plain_yaml(text)) return tree;
  return load_yaml_tree(text, diagnostics);
}

}  // namespace flowweaver
