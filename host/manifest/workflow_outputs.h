// A workflow's `outputs:` (workflows/FORMAT.md, "Sub-workflows"): a map of names to templates
// over its tasks' outputs and its params. When a parent workflow runs it with `uses:
// workflow.run`, they are resolved once the run has completed and become that task's output.
#pragma once

#include <functional>

#include "manifest/diagnostic.h"
#include "manifest/manifest.h"
#include "manifest/yaml_tree.h"

namespace flowweaver {

class TaskIndex;

// Reads the `outputs:` map into the manifest, reporting a value that is not a map and names
// that are not names.
void read_workflow_outputs(const YamlNode& node, Manifest* manifest, DiagnosticList* diagnostics);

// Checks every reference in `outputs:`: a task of the DAG (not a handler), a declared param,
// ${env.…} or ${manifest.dir}; anything else is reported with its position.
void check_workflow_outputs(const Manifest& manifest, const TaskIndex& index,
                            DiagnosticList* diagnostics);

// The outputs of a completed run: `task_output` gives a task's parsed output by name (nullptr
// when it has none). Throws std::runtime_error naming the output that cannot be resolved.
Json resolve_workflow_outputs(const Manifest& manifest, const Json& params,
                              const std::function<const Json*(const std::string&)>& task_output);

}  // namespace flowweaver
