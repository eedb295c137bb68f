// Reading a YAML file up to a document: its bytes, the UTF-8 check and the reader's syntax
// errors (libyaml_reader.h), each reported as a diagnostic with its location. Shared by every
// YAML file the host reads (manifests, the service config).
#pragma once

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

// The one YAML document in `text`, or nothing after reporting bytes that are not UTF-8,
// invalid YAML, a second document, or what the tree refuses (yaml_tree_builder.h). An empty
// text is a null root without a location, not an error: the caller says what it expected.
// `noun` names the file's kind in messages ("manifest").
std::optional<YamlTree> load_yaml_tree(std::string_view text, std::string_view noun,
                                       DiagnosticList* diagnostics);

}  // namespace flowweaver
