// YAML values as JSON under YAML 1.2's core schema (`50` is a number, `"50"` a string, `true`
// a boolean, `null` null, `010` is ten), for YamlTree nodes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/diagnostic.h"
#include "manifest/manifest.h"
#include "manifest/yaml_tree.h"

namespace flowweaver {

// What the converters need of one node. Views into the node: valid while its tree lives.
struct ScalarView {
  bool is_scalar = false;
  std::string_view text;  // the scalar's text; empty for other nodes
  std::string_view tag;
  SourceLocation location;
};

ScalarView scalar_view(const YamlNode& node);

// "", "~" and null in its three spellings: what a plain, untagged scalar says for null.
bool is_null_word(std::string_view s);

// Converts `node` to JSON. Duplicate map keys, non-string keys and numbers JSON cannot hold are
// reported to `diagnostics`. Each value's location is recorded in `locations` under its JSON
// pointer, starting from `pointer`; with `locations` null none is (a 100,000-item `foreach:`
// list would otherwise build as many pointers only to drop them).
nlohmann::json yaml_to_json(const YamlNode& node, const std::string& pointer,
                            LocationMap* locations, DiagnosticList* diagnostics);

// Reports every key that appears more than once among `keys`, a map's keys in order (the tree
// keeps them all, and lookups find the first). Keys that are not scalars are skipped.
void check_duplicate_keys(const std::vector<ScalarView>& keys, DiagnosticList* diagnostics);

// The scalar's value under the core schema.
nlohmann::json resolve_scalar(const ScalarView& scalar, DiagnosticList* diagnostics);

// True when resolve_scalar would give this scalar's own text as a string and report nothing:
// a quick test that spares building a JSON value for the common case.
bool is_plain_string(const ScalarView& scalar);

}  // namespace flowweaver
