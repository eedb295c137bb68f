// The yaml-cpp adapter: converts YAML nodes to JSON values under YAML 1.2's core schema
// (`50` is a number, `"50"` a string, `true` a boolean, `null` null, `010` is ten) and turns
// yaml-cpp's 0-based marks into 1-based source locations.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

#include "manifest/diagnostic.h"
#include "manifest/manifest.h"

namespace flowweaver {

SourceLocation location_of(const YAML::Node& node);

// Converts `node` to JSON. Duplicate map keys, non-string keys, anchors merged with `<<` and
// numbers JSON cannot hold are reported to `diagnostics`. Each value's location is recorded in
// `locations` under its JSON pointer, starting from `pointer`.
nlohmann::json yaml_to_json(const YAML::Node& node, const std::string& pointer,
                            LocationMap* locations, DiagnosticList* diagnostics);

// Reports every key that appears more than once in the map `node` (yaml-cpp keeps the last one
// silently).
void check_duplicate_keys(const YAML::Node& node, DiagnosticList* diagnostics);

// The scalar's value under the core schema.
nlohmann::json resolve_scalar(const YAML::Node& node, DiagnosticList* diagnostics);

}  // namespace flowweaver
