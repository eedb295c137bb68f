#include "exec/task_condition.h"

#include "expr/evaluator.h"
#include "expr/expr_error.h"

namespace flowweaver {

ConditionVerdict check_condition(const TaskCondition& condition, const ConditionInputs& inputs) {
  using Kind = ConditionVerdict::Kind;
  std::string named = "condition `" + condition.source + "`";
  if (!condition.expression) return {Kind::kFail, named + " was not parsed"};
  expr::EvalScope scope;
  scope.params = inputs.params;
  scope.run_id = inputs.run_id;
  scope.task_output = inputs.task_output;
  scope.task_status = inputs.task_status;
  try {
    nlohmann::json value = expr::evaluate(*condition.expression, scope);
    if (expr::as_condition(value, 0, "the condition")) return {Kind::kRun, ""};
    return {Kind::kSkip, kConditionFalse};
  } catch (const expr::ExprError& e) {
    return {Kind::kFail,
            named + " failed at character " + std::to_string(e.offset() + 1) + ": " + e.what()};
  }
}

ConditionVerdict check_condition(const TaskSpec& task, const ConditionInputs& inputs) {
  if (!task.condition) return {};
  return check_condition(*task.condition, inputs);
}

}  // namespace flowweaver
