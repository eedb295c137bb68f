// Records a task of a stored run COMPLETED (with its output) or FAILED without running it: the
// core of `flowweaver mark` and of POST /api/runs/ID/tasks/NAME/mark. Each mark is also an
// attempt row, so the run's history shows that it was set by hand; a reset undoes it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "state/state_store.h"

namespace flowweaver {

struct TaskMark {
  bool completed = true;
  std::string output = "null";  // COMPLETED: its output, compact JSON already checked
  std::string error;            // FAILED: why ("" gives `note`)
  std::string note;             // the attempt row's note: who set it, e.g. "set by hand with ..."
};

// An upstream task of the marked one that has not COMPLETED: marking goes ahead (the operator
// may know better than the state), but they should hear of it.
struct UnfinishedUpstream {
  std::string task;
  TaskStatus status = TaskStatus::kPending;
};

struct TaskMarkResult {
  TaskUpdate update;                           // as written
  std::vector<UnfinishedUpstream> unfinished;  // only for a COMPLETED mark
};

// Marks `task` (an index into `m`) in `run`, as one more attempt after the last one recorded.
// The caller holds the state's writer lock; the row and its attempt are written in one
// transaction. The run's status is left as it is.
TaskMarkResult record_task_mark(StateStore& store, const Manifest& m, uint32_t task,
                                const RunRecord& run, const TaskMark& mark, TimePoint now);

}  // namespace flowweaver
