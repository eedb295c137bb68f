// Evaluates a task's `if:` when the task is ready (its trigger rule says run), giving the
// verdict the scheduler's hook expects (exec/condition_check.h). Pure: everything it reads is
// in ConditionInputs.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "exec/condition_check.h"
#include "manifest/manifest.h"

namespace flowweaver {

struct ConditionInputs {
  const nlohmann::json* params = nullptr;  // the run's params, resolved; nullptr: none
  std::string run_id;
  // An upstream task's output, or nullptr when it has none (its paths then read as null).
  std::function<const nlohmann::json*(const std::string& task)> task_output;
  // An upstream task's status as stored: "COMPLETED", "FAILED" or "SKIPPED".
  std::function<std::optional<std::string>(const std::string& task)> task_status;
};

// What `reason` says for a task skipped by its condition.
inline constexpr const char* kConditionFalse = "condition false";

// The verdict of `condition`: kRun when true; kSkip with kConditionFalse when false (or null);
// kFail, naming the expression and the character, when a value has a type the expression
// cannot take (known only at run time: an output). An unparsed condition is refused as kFail.
ConditionVerdict check_condition(const TaskCondition& condition, const ConditionInputs& inputs);

// The same for a task, which may have no condition (then kRun).
ConditionVerdict check_condition(const TaskSpec& task, const ConditionInputs& inputs);

}  // namespace flowweaver
