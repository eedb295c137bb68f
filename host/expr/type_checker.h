// Checks an expression's types before anything runs (workflows/FORMAT.md, "Conditions",
// "Types"). Pure: what it knows of params and tasks comes through TypeScope.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "expr/ast.h"
#include "expr/expr_error.h"
#include "expr/value_type.h"

namespace flowweaver::expr {

struct TypeScope {
  // The type of params.NAME, or nullopt when there is no such param.
  std::function<std::optional<ValueType>(const std::string&)> param_type;
  // For suggestions when a param is unknown.
  std::vector<std::string> param_names;
  // Why a condition may not name this task (unknown, not upstream), or "" when it may.
  std::function<std::string(const std::string&)> task_problem;
};

// The statuses `tasks.NAME.status` can have when a condition reads it.
const std::vector<std::string>& condition_statuses();

// Every type error in `expr`, in source order; empty when it is well typed. `expr` is a whole
// condition: it must give a boolean (null, as from a missing output, reads as false).
std::vector<ExprError> check_condition_types(const Expr& expr, const TypeScope& scope);

}  // namespace flowweaver::expr
