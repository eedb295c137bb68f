// The types the type checker knows a value by before running.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace flowweaver::expr {

// kDynamic: known only when the run gets there (a task's output).
enum class ValueType { kNull, kBoolean, kNumber, kString, kArray, kObject, kDynamic };

// "a number", "text", ... for messages.
std::string describe(ValueType type);

// The type of a JSON value (a literal, a param's value in the manifest).
ValueType type_of(const nlohmann::json& value);

}  // namespace flowweaver::expr
