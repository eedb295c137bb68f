// A manifest's YAML document: read by the fast reader (manifest/plain_yaml.h) when it is plain
// enough, otherwise by yaml-cpp in one piece. Either way the tree and every reported problem
// are exactly what yaml-cpp gives.
//
// Big manifests were once also parsed in parallel parts, cut at the items of `tasks:`. That was
// dropped: yaml-cpp reads some invalid text differently depending on what precedes it, so parts
// could accept what the whole refuses (the fuzzer found three such cases), and once the fast
// reader took the plain manifests the parts saved under 5% on the rest.
#pragma once

#include <optional>
#include <string_view>

#include "manifest/diagnostic.h"
#include "manifest/yaml_tree.h"

namespace flowweaver {

// Like load_yaml_tree(), faster for plain manifests.
std::optional<YamlTree> load_manifest_document(std::string_view text, DiagnosticList* diagnostics);

}  // namespace flowweaver
