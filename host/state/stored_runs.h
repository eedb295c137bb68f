// A state's runs read whole, for copying them to another state (`flowweaver migrate-state`):
// every run with its task rows and attempts, as StateStore::import_runs() takes them.
#pragma once

#include <string>
#include <vector>

#include "state/state_store.h"

namespace flowweaver {

struct WorkflowRuns {
  std::string workflow;
  std::vector<StoredRun> runs;  // oldest first: the order they were created in
};

// Every run in `store`, by workflow (in the order of each workflow's first run). A RUNNING run's
// COMPLETED task whose attempt row a killed writer held back (StateStore::apply_awaited) gets it
// from its task row, as the next writer of that state would write it before anything else.
std::vector<WorkflowRuns> read_runs_by_workflow(StateStore& store);

// The workflows that have runs in `store`, in the order of their first run.
std::vector<std::string> workflows_with_runs(StateStore& store);

}  // namespace flowweaver
