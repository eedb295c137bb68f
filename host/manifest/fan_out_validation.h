// The validator's part for a `foreach:` that is a reference (workflows/FORMAT.md, "foreach and
// matrix"): the string must be exactly one ${tasks.T.output[.PATH]} or ${params.NAME}, and a
// param it reads must be declared an array. Whether the task or param exists, and whether the
// task is in depends_on, is checked by the validator as for references in `with:`.
#pragma once

#include <optional>

#include "manifest/diagnostic.h"
#include "manifest/manifest.h"
#include "manifest/template.h"

namespace flowweaver {

// The reference `task`'s `foreach:` string makes, or nothing after reporting at the value why
// it is not exactly one reference to a task's output or a param.
std::optional<Reference> foreach_reference(const TaskSpec& task, DiagnosticList* diagnostics);

// Reports `param` when `ref` (a foreach's ${params.NAME}) cannot give a list: it is declared
// with another type.
void check_foreach_param(const TaskSpec& task, const WorkflowParam& param, const Reference& ref,
                         DiagnosticList* diagnostics);

}  // namespace flowweaver
