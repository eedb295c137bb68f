#include "manifest/yaml_value.h"

#include <cerrno>
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

std::optional<bool> bool_word(std::string_view s) {
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

std::string_view without_sign(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return s;
}

bool is_octal_word(std::string_view s) {
  return s.size() > 2 && s[0] == '0' && s[1] == 'o' && all_of(s.substr(2), is_octal);
}
bool is_hex_word(std::string_view s) {
  return s.size() > 2 && s[0] == '0' && s[1] == 'x' && all_of(s.substr(2), is_hex);
}
bool is_special_float(std::string_view s) {
  std::string_view body = without_sign(s);
  return body == ".inf" || body == ".Inf" || body == ".INF" || s == ".nan" || s == ".NaN" ||
         s == ".NAN";
}

bool is_string_tag(std::string_view tag) { return tag == "!" || tag == "tag:yaml.org,2002:str"; }

nlohmann::json integer_value(const std::string& digits, int base, bool negative,
                             const ScalarView& scalar, DiagnosticList* diagnostics) {
  errno = 0;
  unsigned long long magnitude = std::strtoull(digits.c_str(), nullptr, base);
  if (errno == ERANGE || magnitude > 9223372036854775807ULL) {
    diagnostics->add(scalar.location, "integer '" + std::string(scalar.text) +
                                          "' is out of range (quote it to pass it as a string)");
    return nullptr;
  }
  auto value = static_cast<long long>(magnitude);
  return negative ? -value : value;
}

void report_duplicate(const ScalarView& key, SourceLocation first, DiagnosticList* diagnostics) {
  diagnostics->add(key.location, "duplicate key '" + std::string(key.text) +
                                     "' (first given at line " + std::to_string(first.line) + ")");
}

// Maps of a few keys (a task's) compare every pair, which beats building a hash table.
constexpr size_t kPairwiseKeys = 16;

template <typename KeyAt>
void report_duplicate_keys(size_t num_keys, KeyAt key_at, DiagnosticList* diagnostics) {
  if (num_keys <= kPairwiseKeys) {
    for (size_t i = 1; i < num_keys; ++i) {
      ScalarView key = key_at(i);
      if (!key.is_scalar) continue;
      for (size_t j = 0; j < i; ++j) {
        ScalarView earlier = key_at(j);
        if (earlier.is_scalar && earlier.text == key.text) {
          report_duplicate(key, earlier.location, diagnostics);
          break;
        }
      }
    }
    return;
  }
  std::unordered_map<std::string_view, SourceLocation> seen;
  seen.reserve(num_keys);
  for (size_t i = 0; i < num_keys; ++i) {
    ScalarView key = key_at(i);
    if (!key.is_scalar) continue;
    auto [first, inserted] = seen.emplace(key.text, key.location);
    if (!inserted) report_duplicate(key, first->second, diagnostics);
  }
}

}  // namespace

ScalarView scalar_view(const YamlNode& node) {
  return {node.is_scalar(), node.scalar(), node.tag(), node.location()};
}

bool is_null_word(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool is_plain_string(const ScalarView& scalar) {
  if (is_string_tag(scalar.tag)) return true;
  std::string_view s = scalar.text;
  return !is_null_word(s) && !bool_word(s) && !all_of(without_sign(s), is_digit) &&
         !is_octal_word(s) && !is_hex_word(s) && !is_core_float(s) && !is_special_float(s);
}

nlohmann::json resolve_scalar(const ScalarView& scalar, DiagnosticList* diagnostics) {
  std::string_view s = scalar.text;
  if (is_string_tag(scalar.tag)) return s;  // quoted or !!str
  // Any other tag was refused when the tree was built (yaml_tree_builder.h).
  if (is_null_word(s)) return nullptr;
  if (auto b = bool_word(s)) return *b;
  std::string_view body = without_sign(s);
  bool negative = !s.empty() && s[0] == '-';
  if (all_of(body, is_digit)) {
    return integer_value(std::string(body), 10, negative, scalar, diagnostics);
  }
  if (is_octal_word(s))
    return integer_value(std::string(s.substr(2)), 8, false, scalar, diagnostics);
  if (is_hex_word(s))
    return integer_value(std::string(s.substr(2)), 16, false, scalar, diagnostics);
  if (is_core_float(s)) return std::strtod(std::string(s).c_str(), nullptr);
  if (is_special_float(s)) {
    diagnostics->add(scalar.location, "'" + std::string(s) +
                                          "' cannot be represented in JSON (quote it to pass a "
                                          "string)");
    return nullptr;
  }
  return s;
}

void check_duplicate_keys(const std::vector<ScalarView>& keys, DiagnosticList* diagnostics) {
  report_duplicate_keys(
      keys.size(), [&](size_t i) { return keys[i]; }, diagnostics);
}

nlohmann::json yaml_to_json(const YamlNode& node, const std::string& pointer,
                            LocationMap* locations, DiagnosticList* diagnostics) {
  if (locations) (*locations)[pointer] = node.location();
  switch (node.type()) {
    case YamlType::kNull:
      return nullptr;
    case YamlType::kScalar:
      return resolve_scalar(scalar_view(node), diagnostics);
    case YamlType::kSequence: {
      nlohmann::json array = nlohmann::json::array();
      for (size_t i = 0; i < node.size(); ++i) {
        std::string item_pointer = locations ? pointer + "/" + std::to_string(i) : "";
        array.push_back(yaml_to_json(node.item(i), item_pointer, locations, diagnostics));
      }
      return array;
    }
    case YamlType::kMap: {
      report_duplicate_keys(
          node.size(), [&](size_t i) { return scalar_view(node.key(i)); }, diagnostics);
      nlohmann::json object = nlohmann::json::object();
      for (size_t i = 0; i < node.size(); ++i) {
        YamlNode key = node.key(i);
        if (!key.is_scalar()) {
          diagnostics->add(key.location(), "map keys must be plain strings");
          continue;
        }
        std::string name(key.scalar());
        std::string value_pointer = locations ? pointer + "/" + name : "";
        object[name] = yaml_to_json(node.value(i), value_pointer, locations, diagnostics);
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace flowweaver
