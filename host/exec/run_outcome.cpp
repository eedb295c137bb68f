#include "exec/run_outcome.h"

namespace flowweaver {
namespace {

bool unfinished(const TaskRecord& r) {
  return r.status == TaskStatus::kPending || r.status == TaskStatus::kRunning;
}

bool fails_the_run(const TaskSpec& spec, const TaskRecord& r) {
  return r.status == TaskStatus::kFailed && !spec.allow_failure;
}

RunStatus stopped_status(DagStop stop) {
  return stop == DagStop::kCancel ? RunStatus::kCancelled : RunStatus::kInterrupted;
}

// `handlers`: look at the handlers rather than the DAG's tasks.
RunStatus status_of(const Manifest& m, const std::vector<TaskRecord>& records, DagStop stop,
                    bool handlers) {
  bool any_unfinished = false;
  bool failed = false;
  for (size_t t = 0; t < m.tasks.size(); ++t) {
    if ((m.tasks[t].role != TaskRole::kTask) != handlers) continue;
    any_unfinished |= unfinished(records[t]);
    failed |= fails_the_run(m.tasks[t], records[t]);
  }
  // A stop that came after the last task ended interrupted nothing.
  if (stop != DagStop::kNone && any_unfinished) return stopped_status(stop);
  return failed ? RunStatus::kFailed : RunStatus::kCompleted;
}

}  // namespace

RunStatus dag_status(const Manifest& manifest, const std::vector<TaskRecord>& records,
                     DagStop stop) {
  return status_of(manifest, records, stop, /*handlers=*/false);
}

bool handler_runs(TaskRole role, RunStatus status) {
  switch (role) {
    case TaskRole::kOnFailure:
      return status == RunStatus::kFailed;
    case TaskRole::kOnExit:
      return true;
    case TaskRole::kTask:
      return false;
  }
  return false;
}

RunStatus final_status(RunStatus dag, const Manifest& manifest,
                       const std::vector<TaskRecord>& records, DagStop handler_stop) {
  if (dag != RunStatus::kCompleted) return dag;
  return status_of(manifest, records, handler_stop, /*handlers=*/true);
}

std::vector<std::string> failed_task_names(const Manifest& manifest,
                                           const std::vector<TaskRecord>& records) {
  std::vector<std::string> names;
  for (size_t t = 0; t < manifest.tasks.size(); ++t) {
    const TaskSpec& spec = manifest.tasks[t];
    if (spec.role == TaskRole::kTask && fails_the_run(spec, records[t])) {
      names.push_back(spec.name);
    }
  }
  return names;
}

}  // namespace flowweaver
