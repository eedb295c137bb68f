// A manifest's YAML document: read by the fast reader (manifest/plain_yaml.h) when it is plain
// enough, else parsed in parallel parts when it is big and its `tasks:` list can be cut safely
// (manifest/task_list_split.h), otherwise in one piece. Each part, too, is tried with the fast
// reader first. Either way the tree and every reported problem are exactly what parsing in one
// piece gives.
#pragma once

#include <optional>
#include <string_view>

#include "manifest/diagnostic.h"
#include "manifest/yaml_tree.h"

namespace flowweaver {

// Like load_yaml_tree(), faster for big manifests on a machine with more than one core.
std::optional<YamlTree> load_manifest_document(std::string_view text, DiagnosticList* diagnostics);

// The parallel path alone, with the list cut into at most `max_chunks` parts besides the rest
// of the document. Nothing when the text cannot be cut or any part does not read cleanly (the
// caller then parses in one piece, which also finds the error to report). For tests and
// measurements; load_manifest_document() chooses the number of parts itself.
std::optional<YamlTree> parse_manifest_in_parts(std::string_view text, size_t max_chunks);

}  // namespace flowweaver
