// Typed reading of YAML fields, shared by the manifest reader and the service config reader.
// Each read_* method returns the value, or reports the problem at the node's
// file:line:column (naming the key as `what`) and returns nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "manifest/diagnostic.h"
#include "manifest/yaml_tree.h"
#include "manifest/yaml_value.h"
#include "util/clock.h"

namespace flowweaver {

class YamlFieldReader {
 public:
  explicit YamlFieldReader(DiagnosticList* diagnostics) : diagnostics_(diagnostics) {}

  void error(const YamlNode& node, std::string message);
  // False (after reporting) unless `node` is a map.
  bool expect_map(const YamlNode& node, const std::string& what);
  // Reports duplicate keys, keys that are not strings, and keys not in `known` with the
  // closest known one as a suggestion. `where` ends the message: "unknown key 'x' <where>".
  void check_keys(const YamlNode& map, const std::vector<std::string>& known,
                  const std::string& where);

  std::optional<std::string> read_string(const YamlNode& node, const std::string& what);
  std::optional<long long> read_integer(const YamlNode& node, const std::string& what);
  // YAML 1.2 core schema: true/false (any of three capitalisations), not yes/no.
  std::optional<bool> read_bool(const YamlNode& node, const std::string& what);
  // "500ms", "30s", "1m30s" (flowweaver::parse_duration); a bare number is an error.
  std::optional<Millis> read_duration(const YamlNode& node, const std::string& what);

 private:
  // The implementations, on what they need of a node.
  void check_keys(const std::vector<ScalarView>& keys, const std::vector<std::string>& known,
                  const std::string& where);
  std::optional<std::string> read_string(const ScalarView& node, const std::string& what);
  std::optional<long long> read_integer(const ScalarView& node, const std::string& what);
  std::optional<bool> read_bool(const ScalarView& node, const std::string& what);
  std::optional<Millis> read_duration(const ScalarView& node, const std::string& what);

  DiagnosticList* diagnostics_;
  std::vector<ScalarView> keys_;  // reused by check_keys
};

}  // namespace flowweaver
