// A fast reader for the plain subset of YAML that manifests are usually written in: block maps
// and sequences indented with spaces, one-line plain scalars, one-line flow collections of
// plain scalars (`depends_on: [a, b]`), comments and blank lines. yaml-cpp's scanner spends
// over a thousand instructions per byte and dominates `validate` on big manifests; this reads
// the same text in one pass over its lines, an order of magnitude faster or more.
//
// Anything outside the subset is refused rather than guessed at: quotes, block scalars, anchors,
// aliases, tags, directives and document markers, empty values, multi-line scalars, tabs, CR,
// bytes outside printable ASCII. The caller then parses with yaml-cpp, which also reports the
// errors. fuzz/manifest_fuzzer.cpp holds the two parsers to agreeing.
#pragma once

#include <optional>
#include <string_view>

#include "manifest/yaml_tree.h"

namespace flowweaver {

// Exactly the tree YamlTree::parse(text) gives (types, scalars, tags, locations, pair order),
// when `text` is within the subset and its root is a map or a sequence; nothing otherwise.
std::optional<YamlTree> parse_plain_yaml(std::string_view text);

}  // namespace flowweaver
