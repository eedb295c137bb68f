// How a run ends, from how its tasks ended: the rules of the run's status, handlers included
// (workflows/FORMAT.md, "Handlers" and "Allowed failures"). Pure.
#pragma once

#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "state/state_store.h"

namespace flowweaver {

// Why the DAG's tasks stopped short, if they did.
enum class DagStop { kNone, kShutdown, kCancel };

// The run's status once the DAG's tasks (not the handlers) have ended or been stopped:
// INTERRUPTED or CANCELLED when a stop left some unfinished, FAILED when one FAILED without
// allow_failure, else COMPLETED (SKIPPED tasks fail nothing).
RunStatus dag_status(const Manifest& manifest, const std::vector<TaskRecord>& records,
                     DagStop stop);

// Whether a handler of `role` runs after a DAG that ended `status`.
bool handler_runs(TaskRole role, RunStatus status);

// The run's final status: the DAG's, except that a handler that FAILED (without allow_failure)
// fails a run that had COMPLETED, and one a stop left unfinished interrupts it. The handlers
// never hide a DAG's failure, interruption or cancellation.
RunStatus final_status(RunStatus dag, const Manifest& manifest,
                       const std::vector<TaskRecord>& records, DagStop handler_stop);

// The DAG tasks that failed the run, in manifest order: what ${run.failed_tasks} lists.
std::vector<std::string> failed_task_names(const Manifest& manifest,
                                           const std::vector<TaskRecord>& records);

}  // namespace flowweaver
