// Reading a YAML file up to a document: its bytes, the UTF-8 check and yaml-cpp's syntax
// errors, each reported as a diagnostic with its location. Shared by every YAML file the host
// reads (manifests, the service config).
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "manifest/diagnostic.h"
#include "manifest/yaml_tree.h"

namespace flowweaver {

// The file's bytes. A directory is reported as "is a directory, not a <noun> file", an
// unreadable file as "cannot read the <noun>: <reason>".
std::optional<std::string> read_text_file(const std::filesystem::path& path, std::string_view noun,
                                          DiagnosticList* diagnostics);

// The YAML document in `text`, or nothing after reporting bytes that are not UTF-8, invalid
// YAML or nesting too deep to read. An empty text is a null node, not an error.
std::optional<YAML::Node> load_yaml_document(std::string_view text, DiagnosticList* diagnostics);

// The same as a compact YamlTree (what the manifest reader uses: far smaller and faster to
// build for large files), with the same problems reported the same way.
std::optional<YamlTree> load_yaml_tree(std::string_view text, DiagnosticList* diagnostics);

}  // namespace flowweaver
