// A manifest's YAML document: load_yaml_tree() (yaml_document.h) under the manifest's name, so
// every reader of manifests (validate, run, serve, the fuzzer) reads them alike.
// One parser for every manifest, big or small: a second, faster one for "plain" manifests
// once had to be held to agreeing with the first, and cost more than the milliseconds it saved.
#pragma once

#include <optional>
#include <string_view>

#include "manifest/diagnostic.h"
#include "manifest/yaml_tree.h"

namespace flowweaver {

std::optional<YamlTree> load_manifest_document(std::string_view text, DiagnosticList* diagnostics);

}  // namespace flowweaver
