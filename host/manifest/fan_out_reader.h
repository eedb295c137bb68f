// Reading a task's `foreach:`, `matrix:`, `exclude:`, `max_parallel:` and `batch_size:`
// (workflows/FORMAT.md, "foreach and matrix") into TaskSpec::fan_out. What the task alone
// decides is checked here; what needs the whole manifest (the references a `foreach:` string
// makes) is checked by the validator (manifest/fan_out_validation.h).
#pragma once

#include <string>
#include <vector>

#include "manifest/diagnostic.h"
#include "manifest/manifest.h"
#include "manifest/yaml_tree.h"

namespace flowweaver {

// The task keys this reader handles, for the reader's list of known keys.
const std::vector<std::string>& fan_out_keys();

// Reads the fan-out keys of `task_map`, a task or handler already read into `task` (its name
// and role), reporting every problem at its file:line:column.
void read_fan_out(const YamlNode& task_map, TaskSpec* task, DiagnosticList* diagnostics);

// Reports each fan-out key found in `defaults:`: a fan-out belongs to one task.
void refuse_fan_out_defaults(const YamlNode& defaults_map, DiagnosticList* diagnostics);

}  // namespace flowweaver
