// The validator's part for `if:` conditions: each parsed expression is type-checked against
// the manifest's params and tasks (expr/type_checker.h), errors at their file:line:column.
#pragma once

#include <optional>
#include <string>

#include "expr/value_type.h"
#include "graph/dag.h"
#include "manifest/diagnostic.h"
#include "manifest/manifest.h"
#include "manifest/task_index.h"

namespace flowweaver {

// The type of params.NAME as a condition sees it (from its value in the manifest), or nullopt
// when the manifest has no such param.
std::optional<expr::ValueType> condition_param_type(const Manifest& manifest,
                                                    const std::string& name);

// Checks every task's condition: types, params and tasks that exist, and that each task it
// reads is upstream of it (directly or not), so that its status and output exist when the
// condition is evaluated. Handlers may also read any task of the DAG: they run after it.
void check_conditions(const Manifest& manifest, const TaskIndex& index, const Dag& dag,
                      DiagnosticList* diagnostics);

}  // namespace flowweaver
