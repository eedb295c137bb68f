#include "state/cancelled_run.h"

#include <vector>

namespace flowweaver {

RunRecord record_cancelled(StateStore& store, RunRecord run, TimePoint now) {
  std::vector<TaskUpdate> updates;
  for (TaskRecord& task : store.load_tasks(run.run_id)) {
    if (task.status != TaskStatus::kRunning) continue;
    AttemptRecord lost{task.task_name,
                       task.attempt,
                       TaskStatus::kFailed,
                       "cancelled: the host process had stopped during this attempt",
                       task.started_at.value_or(now),
                       now};
    task.status = TaskStatus::kPending;
    task.error = lost.error;
    task.timestamp = now;
    task.finished_at = now;
    updates.push_back({task, lost});
  }
  if (!updates.empty()) store.apply(run.run_id, updates);
  run.status = RunStatus::kCancelled;
  run.finished_at = now;
  store.update_run(run);
  return run;
}

std::string closed_run_message(const RunRecord& run) {
  return "run " + run.run_id + " of '" + run.workflow + "' is already " + to_string(run.status) +
         ": there is nothing to cancel" +
         (run.status == RunStatus::kCompleted
              ? ""
              : " (`flowweaver reset` reopens it, if it should run on after all)");
}

}  // namespace flowweaver
