// Gives an expression's value at run time. Pure: what it reads comes through EvalScope.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "expr/ast.h"

namespace flowweaver::expr {

struct EvalScope {
  const nlohmann::json* params = nullptr;  // an object; nullptr: none
  std::string run_id;
  // The output of a task, or nullptr when it has none.
  std::function<const nlohmann::json*(const std::string&)> task_output;
  // A task's status ("COMPLETED", ...), or nullopt when it has none yet.
  std::function<std::optional<std::string>(const std::string&)> task_status;
};

// The value of `expr`. A path that is not there gives null. Throws ExprError, at the operator
// or argument concerned, when a value has a type the operation does not take (which the type
// checker could not know before running: a task's output).
nlohmann::json evaluate(const Expr& expr, const EvalScope& scope);

// `value` as a condition: true or false; null counts as false. Throws ExprError at `offset`
// for any other value.
bool as_condition(const nlohmann::json& value, size_t offset, const std::string& what);

}  // namespace flowweaver::expr
