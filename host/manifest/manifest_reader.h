// Reads a manifest's YAML into a Manifest, reporting every structural problem (invalid YAML,
// unknown keys, wrong types, bad durations, negative retries) with its file:line:column.
// Checks that need more than the file itself (dependencies, plugins, references) are in
// validator.h.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "manifest/diagnostic.h"
#include "manifest/manifest.h"
#include "manifest/yaml_tree.h"

namespace flowweaver {

// Parses `yaml` as the manifest named `file` (used in messages). On problems, `diagnostics`
// is non-empty and the returned manifest holds whatever could be read.
Manifest parse_manifest(std::string_view yaml, const std::string& file,
                        DiagnosticList* diagnostics);

// The same from a document already parsed with load_yaml_tree(), so a caller can free the
// file's bytes first. Reports to `diagnostics`, whose file names the manifest.
Manifest read_manifest_document(const YamlTree& document, DiagnosticList* diagnostics);

// The file's bytes; an unreadable file or a directory is reported to `diagnostics`.
std::optional<std::string> read_manifest_text(const std::filesystem::path& path,
                                              DiagnosticList* diagnostics);

// Reads and parses the file; an unreadable file is reported as a diagnostic too.
Manifest read_manifest(const std::filesystem::path& path, DiagnosticList* diagnostics);

// Task and workflow names: letters, digits, '_' and '-' (no dots: they separate template paths).
bool is_valid_name(std::string_view name);

// Secret names: [A-Za-z_][A-Za-z0-9_]*, since each is also part of an environment variable's
// name (FLOWWEAVER_SECRET_NAME) and a file name under $CREDENTIALS_DIRECTORY.
bool is_valid_secret_name(std::string_view name);
// Gives every task whose manifest says nothing of isolation the host's default (`serve` runs
// tasks in child processes unless told otherwise; `run` in the host).
void apply_default_isolation(std::vector<TaskSpec>* tasks, Isolation isolation);

}  // namespace flowweaver
