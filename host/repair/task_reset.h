// Resets a task of a stored run and every task that depends on it, their foreach/matrix items
// too, so that the run's next resume runs them again: the core of `flowweaver reset` and of
// POST /api/runs/ID/tasks/NAME/reset.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/dag.h"
#include "manifest/manifest.h"
#include "state/state_store.h"

namespace flowweaver {

struct TaskResetResult {
  RunRecord run;                   // as stored after the reset
  std::vector<std::string> reset;  // the task and its dependents, in the DAG's order
  size_t num_items = 0;            // their foreach/matrix items reset with them
  bool reopened = false;           // the run was closed: it is PENDING again
};

// Resets `task` (an index into `m`; `dag` is built from `m`, without cycles) and its dependents
// in `run` of `store`: PENDING, with no output, error or times; attempt numbers are kept. A
// closed run becomes PENDING, so that the next run resumes it instead of starting anew. The
// caller holds the state's writer lock. Everything is written in one transaction, then the run.
TaskResetResult reset_task_and_dependents(StateStore& store, const Manifest& m, const Dag& dag,
                                          uint32_t task, RunRecord run, TimePoint now);

}  // namespace flowweaver
