#include "manifest/yaml_value.h"

#include <cmath>
#include <cstdlib>
#include <unordered_map>

namespace flowweaver {
namespace {

bool all_of(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_octal(char c) { return c >= '0' && c <= '7'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool is_null_word(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> bool_word(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool is_core_float(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!all_of(s.substr(i), is_digit)) return false;
    i = s.size();
  }
  return i == s.size();
}

nlohmann::json integer_value(const std::string& digits, int base, bool negative,
                             const YAML::Node& node, DiagnosticList* diagnostics) {
  errno = 0;
  unsigned long long magnitude = std::strtoull(digits.c_str(), nullptr, base);
  if (errno == ERANGE || magnitude > 9223372036854775807ULL) {
    diagnostics->add(location_of(node), "integer '" + node.Scalar() +
                                            "' is out of range (quote it to pass it as a string)");
    return nullptr;
  }
  auto value = static_cast<long long>(magnitude);
  return negative ? -value : value;
}

}  // namespace

SourceLocation location_of(const YAML::Node& node) {
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

nlohmann::json resolve_scalar(const YAML::Node& node, DiagnosticList* diagnostics) {
  const std::string& s = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return s;  // quoted or !!str
  if (tag != "?" && !tag.empty()) {
    diagnostics->add(location_of(node), "unsupported YAML tag '" + tag + "'");
    return s;
  }
  if (is_null_word(s)) return nullptr;
  if (auto b = bool_word(s)) return *b;
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (all_of(body, is_digit))
    return integer_value(std::string(body), 10, negative, node, diagnostics);
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o' && all_of(s.substr(2), is_octal)) {
    return integer_value(s.substr(2), 8, false, node, diagnostics);
  }
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x' && all_of(s.substr(2), is_hex)) {
    return integer_value(s.substr(2), 16, false, node, diagnostics);
  }
  if (is_core_float(s)) return std::strtod(s.c_str(), nullptr);
  if (body == ".inf" || body == ".Inf" || body == ".INF" || s == ".nan" || s == ".NaN" ||
      s == ".NAN") {
    diagnostics->add(location_of(node),
                     "'" + s + "' cannot be represented in JSON (quote it to pass a string)");
    return nullptr;
  }
  return s;
}

void check_duplicate_keys(const YAML::Node& node, DiagnosticList* diagnostics) {
  std::unordered_map<std::string, SourceLocation> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) continue;  // reported by the caller as a non-string key
    const std::string& key = it->first.Scalar();
    SourceLocation where = location_of(it->first);
    auto [first, inserted] = seen.emplace(key, where);
    if (!inserted) {
      diagnostics->add(where, "duplicate key '" + key + "' (first given at line " +
                                  std::to_string(first->second.line) + ")");
    }
  }
}

nlohmann::json yaml_to_json(const YAML::Node& node, const std::string& pointer,
                            LocationMap* locations, DiagnosticList* diagnostics) {
  (*locations)[pointer] = location_of(node);
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      return resolve_scalar(node, diagnostics);
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (size_t i = 0; i < node.size(); ++i) {
        array.push_back(
            yaml_to_json(node[i], pointer + "/" + std::to_string(i), locations, diagnostics));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      check_duplicate_keys(node, diagnostics);
      nlohmann::json object = nlohmann::json::object();
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) {
          diagnostics->add(location_of(it->first), "map keys must be plain strings");
          continue;
        }
        const std::string& key = it->first.Scalar();
        if (key == "<<" && it->first.Tag() == "?") {
          diagnostics->add(location_of(it->first),
                           "merge keys ('<<') are not supported; write the keys out");
          continue;
        }
        object[key] = yaml_to_json(it->second, pointer + "/" + key, locations, diagnostics);
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace flowweaver
