#include "manifest/yaml_field_reader.h"

#include <algorithm>
#include <flowweaver/sdk.hpp>

#include "util/suggest.h"

namespace flowweaver {

void YamlFieldReader::error(const YamlNode& node, std::string message) {
  diagnostics_->add(node.location(), std::move(message));
}

bool YamlFieldReader::expect_map(const YamlNode& node, const std::string& what) {
  if (node.is_map()) return true;
  error(node, "`" + what + "` must be a map");
  return false;
}

void YamlFieldReader::check_keys(const YamlNode& map, const std::vector<std::string>& known,
                                 const std::string& where) {
  std::vector<ScalarView> keys = std::move(keys_);
  keys.clear();
  for (size_t i = 0; i < map.size(); ++i) keys.push_back(scalar_view(map.key(i)));
  check_keys(keys, known, where);
  keys_ = std::move(keys);
}

void YamlFieldReader::check_keys(const std::vector<ScalarView>& keys,
                                 const std::vector<std::string>& known, const std::string& where) {
  check_duplicate_keys(keys, diagnostics_);
  for (const ScalarView& key : keys) {
    if (!key.is_scalar) {
      diagnostics_->add(key.location, "map keys must be plain strings");
      continue;
    }
    if (std::find(known.begin(), known.end(), key.text) == known.end()) {
      std::string name(key.text);
      diagnostics_->add(key.location,
                        "unknown key '" + name + "' " + where + did_you_mean(name, known));
    }
  }
}

std::optional<std::string> YamlFieldReader::read_string(const ScalarView& node,
                                                        const std::string& what) {
  if (node.is_scalar) {
    if (is_plain_string(node)) return std::string(node.text);
    nlohmann::json value = resolve_scalar(node, diagnostics_);
    if (value.is_string()) return value.get<std::string>();
  }
  diagnostics_->add(node.location, "`" + what + "` must be a string");
  return std::nullopt;
}

std::optional<long long> YamlFieldReader::read_integer(const ScalarView& node,
                                                       const std::string& what) {
  if (node.is_scalar) {
    nlohmann::json value = resolve_scalar(node, diagnostics_);
    if (value.is_number_integer()) return value.get<long long>();
  }
  diagnostics_->add(node.location, "`" + what + "` must be a whole number");
  return std::nullopt;
}

std::optional<bool> YamlFieldReader::read_bool(const ScalarView& node, const std::string& what) {
  if (node.is_scalar) {
    nlohmann::json value = resolve_scalar(node, diagnostics_);
    if (value.is_boolean()) return value.get<bool>();
  }
  diagnostics_->add(node.location, "`" + what + "` must be true or false");
  return std::nullopt;
}

std::optional<Millis> YamlFieldReader::read_duration(const ScalarView& node,
                                                     const std::string& what) {
  if (node.is_scalar) {
    if (auto d = parse_duration(node.text)) return *d;
  }
  std::string shown = node.is_scalar ? "'" + std::string(node.text) + "'" : "this value";
  diagnostics_->add(node.location,
                    "`" + what + "`: " + shown +
                        " is not a duration; write a number and a unit: 500ms, 30s, 5m or 1h");
  return std::nullopt;
}

std::optional<std::string> YamlFieldReader::read_string(const YamlNode& node,
                                                        const std::string& what) {
  return read_string(scalar_view(node), what);
}
std::optional<long long> YamlFieldReader::read_integer(const YamlNode& node,
                                                       const std::string& what) {
  return read_integer(scalar_view(node), what);
}
std::optional<bool> YamlFieldReader::read_bool(const YamlNode& node, const std::string& what) {
  return read_bool(scalar_view(node), what);
}
std::optional<Millis> YamlFieldReader::read_duration(const YamlNode& node,
                                                     const std::string& what) {
  return read_duration(scalar_view(node), what);
}

}  // namespace flowweaver
