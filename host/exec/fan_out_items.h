// The calls a `foreach:` or `matrix:` task makes (workflows/FORMAT.md, "foreach and matrix"):
// one per item, per batch of items, or per combination, each run as a durable row of its own.
// Pure: it decides names and values; the scheduler runs them.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "exec/task_item.h"
#include "manifest/manifest.h"

namespace flowweaver {

// The calls of fan-out task `task` (which must have a fan_out), in order, without their task
// and slot (the scheduler's to set). Each is named "convert[0]", or for a matrix
// "test[os=debian,version=1]" (axes in written order; a string value as is, others as JSON
// text); with batch_size its value is a list of up to that many items. `resolved`: the
// foreach value as resolved (the literal list, or what its reference gave); unused for a
// matrix. Throws std::runtime_error when a foreach value is not a list: "<the reference as
// written> is not a list: it holds <the start of its JSON text>".
std::vector<TaskItem> expand_fan_out(const TaskSpec& task, const nlohmann::json& resolved);

}  // namespace flowweaver
