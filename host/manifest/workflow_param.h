// A run-time parameter a workflow declares under `params:` (workflows/FORMAT.md, "Parameters"),
// and the typing of the values a run gives it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/diagnostic.h"

namespace flowweaver {

enum class ValueType { kString, kInteger, kNumber, kBoolean, kObject, kArray };

struct WorkflowParam {
  std::string name;
  SourceLocation location;  // of the name
  ValueType type = ValueType::kString;
  // The value a run gets when it gives none; may hold ${env.…} and ${manifest.dir}. A
  // parameter without one is required: a run that does not give it is refused.
  std::optional<nlohmann::json> default_value;
  SourceLocation default_location;
  std::vector<nlohmann::json> enum_values;  // empty: any value of the type
  std::string description;
};

const char* to_string(ValueType type);
std::optional<ValueType> parse_value_type(std::string_view text);
// The names parse_value_type knows, for messages.
const std::vector<std::string>& value_type_names();

// The type a short-form constant declares; nothing for null.
std::optional<ValueType> type_of_value(const nlohmann::json& value);

// Does `value` have the type? An integer is also a number.
bool value_fits(const nlohmann::json& value, ValueType type);

// `text` as typed on a command line, read as a value of `type`: a string as is, integers and
// numbers in decimal, true/false, objects and arrays as JSON. Nothing (and `why`) when it is
// not one.
std::optional<nlohmann::json> parse_param_text(std::string_view text, ValueType type,
                                               std::string* why);

// "" when `value` is allowed by the declaration's enum, else what is wrong and what is allowed.
std::string enum_problem(const WorkflowParam& param, const nlohmann::json& value);

// The declarations as the API lists them: [{name, type, required, default, enum,
// description}], `default` as written (null when required), `enum` empty when any value goes.
nlohmann::json declarations_json(const std::vector<WorkflowParam>& params);

}  // namespace flowweaver
