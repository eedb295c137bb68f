// ConditionInputs (exec/task_condition.h) over what the scheduler holds of a run: the task
// records, in manifest order, with their statuses and their outputs as JSON text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "exec/task_condition.h"
#include "manifest/task_index.h"
#include "state/state_store.h"

namespace flowweaver {

// Inputs that read `records` (looked up by name through `index`) as they are when a condition
// asks: each output is parsed on first use. `index`, `records` and `params` must outlive the
// returned inputs. An output that is not JSON reads as absent (its paths are null).
ConditionInputs record_condition_inputs(const TaskIndex& index,
                                        const std::vector<TaskRecord>& records,
                                        const nlohmann::json* params, std::string run_id);

}  // namespace flowweaver
