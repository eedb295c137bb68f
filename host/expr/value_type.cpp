#include "expr/value_type.h"

namespace flowweaver::expr {

std::string describe(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return "null";
    case ValueType::kBoolean:
      return "a boolean";
    case ValueType::kNumber:
      return "a number";
    case ValueType::kString:
      return "text";
    case ValueType::kArray:
      return "a list";
    case ValueType::kObject:
      return "an object";
    case ValueType::kDynamic:
      return "a value known at run time";
  }
  return "?";
}

ValueType type_of(const nlohmann::json& value) {
  if (value.is_null()) return ValueType::kNull;
  if (value.is_boolean()) return ValueType::kBoolean;
  if (value.is_number()) return ValueType::kNumber;
  if (value.is_string()) return ValueType::kString;
  if (value.is_array()) return ValueType::kArray;
  return ValueType::kObject;
}

}  // namespace flowweaver::expr
