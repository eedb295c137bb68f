#include "manifest/workflow_param.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "util/suggest.h"

namespace flowweaver {
namespace {

std::optional<nlohmann::json> parse_integer(const std::string& text) {
  if (text.empty() || text.find_first_not_of("+-0123456789") != std::string::npos) return {};
  errno = 0;
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end != text.c_str() + text.size()) return {};
  return nlohmann::json(value);
}

std::optional<nlohmann::json> parse_number(const std::string& text) {
  if (text.empty() || text.find_first_not_of("+-0123456789.eE") != std::string::npos) return {};
  if (auto integer = parse_integer(text)) return integer;
  errno = 0;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (errno != 0 || end != text.c_str() + text.size() || !std::isfinite(value)) return {};
  return nlohmann::json(value);
}

std::optional<nlohmann::json> parse_json_of(const std::string& text, ValueType type) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded() || !value_fits(value, type)) return {};
  return value;
}

}  // namespace

const char* to_string(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kInteger:
      return "integer";
    case ValueType::kNumber:
      return "number";
    case ValueType::kBoolean:
      return "boolean";
    case ValueType::kObject:
      return "object";
    case ValueType::kArray:
      return "array";
  }
  return "string";
}

const std::vector<std::string>& value_type_names() {
  static const std::vector<std::string> names = {"string",  "integer", "number",
                                                 "boolean", "object",  "array"};
  return names;
}

std::optional<ValueType> parse_value_type(std::string_view text) {
  for (ValueType t : {ValueType::kString, ValueType::kInteger, ValueType::kNumber,
                      ValueType::kBoolean, ValueType::kObject, ValueType::kArray}) {
    if (text == to_string(t)) return t;
  }
  return std::nullopt;
}

std::optional<ValueType> type_of_value(const nlohmann::json& value) {
  if (value.is_string()) return ValueType::kString;
  if (value.is_number_integer()) return ValueType::kInteger;
  if (value.is_number()) return ValueType::kNumber;
  if (value.is_boolean()) return ValueType::kBoolean;
  if (value.is_object()) return ValueType::kObject;
  if (value.is_array()) return ValueType::kArray;
  return std::nullopt;
}

bool value_fits(const nlohmann::json& value, ValueType type) {
  switch (type) {
    case ValueType::kString:
      return value.is_string();
    case ValueType::kInteger:
      return value.is_number_integer();
    case ValueType::kNumber:
      return value.is_number();
    case ValueType::kBoolean:
      return value.is_boolean();
    case ValueType::kObject:
      return value.is_object();
    case ValueType::kArray:
      return value.is_array();
  }
  return false;
}

std::optional<nlohmann::json> parse_param_text(std::string_view text, ValueType type,
                                               std::string* why) {
  std::string s(text);
  std::optional<nlohmann::json> value;
  switch (type) {
    case ValueType::kString:
      return nlohmann::json(s);
    case ValueType::kInteger:
      value = parse_integer(s);
      if (!value) *why = "'" + s + "' is not an integer (write it in decimal, e.g. 10)";
      return value;
    case ValueType::kNumber:
      value = parse_number(s);
      if (!value) *why = "'" + s + "' is not a number (e.g. 2.5)";
      return value;
    case ValueType::kBoolean:
      if (s == "true") return nlohmann::json(true);
      if (s == "false") return nlohmann::json(false);
      *why = "'" + s + "' is not a boolean (write true or false)";
      return std::nullopt;
    case ValueType::kObject:
      value = parse_json_of(s, type);
      if (!value) *why = "'" + s + "' is not a JSON object (e.g. {\"key\": 1})";
      return value;
    case ValueType::kArray:
      value = parse_json_of(s, type);
      if (!value) *why = "'" + s + "' is not a JSON array (e.g. [1, 2])";
      return value;
  }
  return std::nullopt;
}

std::string enum_problem(const WorkflowParam& param, const nlohmann::json& value) {
  if (param.enum_values.empty()) return "";
  std::vector<std::string> allowed;
  for (const nlohmann::json& v : param.enum_values) {
    if (v == value) return "";
    allowed.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  }
  std::string shown = value.is_string() ? value.get<std::string>() : value.dump();
  return "'" + shown + "' is not one of " + join(allowed) +
         (value.is_string() ? did_you_mean(shown, allowed) : "");
}

nlohmann::json declarations_json(const std::vector<WorkflowParam>& params) {
  nlohmann::json out = nlohmann::json::array();
  for (const WorkflowParam& p : params) {
    out.push_back({{"name", p.name},
                   {"type", to_string(p.type)},
                   {"required", !p.default_value},
                   {"default", p.default_value.value_or(nullptr)},
                   {"enum", p.enum_values},
                   {"description", p.description}});
  }
  return out;
}

}  // namespace flowweaver
