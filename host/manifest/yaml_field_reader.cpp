#include "manifest/yaml_field_reader.h"

#include <algorithm>
#include <flowweaver/sdk.hpp>

#include "manifest/yaml_value.h"
#include "util/suggest.h"

namespace flowweaver {

void YamlFieldReader::error(const YAML::Node& node, std::string message) {
  diagnostics_->add(location_of(node), std::move(message));
}

bool YamlFieldReader::expect_map(const YAML::Node& node, const std::string& what) {
  if (node.IsMap()) return true;
  error(node, "`" + what + "` must be a map");
  return false;
}

void YamlFieldReader::check_keys(const YAML::Node& map, const std::vector<std::string>& known,
                                 const std::string& where) {
  check_duplicate_keys(map, diagnostics_);
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) {
      error(it->first, "map keys must be plain strings");
      continue;
    }
    const std::string& key = it->first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      error(it->first, "unknown key '" + key + "' " + where + did_you_mean(key, known));
    }
  }
}

std::optional<std::string> YamlFieldReader::read_string(const YAML::Node& node,
                                                        const std::string& what) {
  if (node.IsScalar()) {
    nlohmann::json value = resolve_scalar(node, diagnostics_);
    if (value.is_string()) return value.get<std::string>();
  }
  error(node, "`" + what + "` must be a string");
  return std::nullopt;
}

std::optional<long long> YamlFieldReader::read_integer(const YAML::Node& node,
                                                       const std::string& what) {
  if (node.IsScalar()) {
    nlohmann::json value = resolve_scalar(node, diagnostics_);
    if (value.is_number_integer()) return value.get<long long>();
  }
  error(node, "`" + what + "` must be a whole number");
  return std::nullopt;
}

std::optional<bool> YamlFieldReader::read_bool(const YAML::Node& node, const std::string& what) {
  if (node.IsScalar()) {
    nlohmann::json value = resolve_scalar(node, diagnostics_);
    if (value.is_boolean()) return value.get<bool>();
  }
  error(node, "`" + what + "` must be true or false");
  return std::nullopt;
}

std::optional<Millis> YamlFieldReader::read_duration(const YAML::Node& node,
                                                     const std::string& what) {
  if (node.IsScalar()) {
    if (auto d = parse_duration(node.Scalar())) return *d;
  }
  std::string shown = node.IsScalar() ? "'" + node.Scalar() + "'" : "this value";
  error(node, "`" + what + "`: " + shown +
                  " is not a duration; write a number and a unit: 500ms, 30s, 5m or 1h");
  return std::nullopt;
}

}  // namespace flowweaver
