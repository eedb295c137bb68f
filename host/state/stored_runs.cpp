#include "state/stored_runs.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace flowweaver {
namespace {

// No limit: a store's LIMIT is a signed 64-bit number.
constexpr size_t kAllRuns = static_cast<size_t>(std::numeric_limits<int64_t>::max());

std::vector<RunRecord> runs_oldest_first(StateStore& store) {
  std::vector<RunRecord> runs = store.list_runs("", kAllRuns);
  std::reverse(runs.begin(), runs.end());
  return runs;
}

bool has_attempt(const std::vector<AttemptRecord>& attempts, const TaskRecord& task) {
  return std::any_of(attempts.begin(), attempts.end(), [&](const AttemptRecord& a) {
    return a.task_name == task.task_name && a.attempt == task.attempt;
  });
}

// What SqliteStore's restore_held() writes for a run its writer left RUNNING.
void restore_held_attempts(StoredRun& stored) {
  if (stored.run.status != RunStatus::kRunning) return;
  for (const TaskRecord& task : stored.tasks) {
    if (task.status != TaskStatus::kCompleted || task.attempt <= 0 || !task.started_at ||
        !task.finished_at || has_attempt(stored.attempts, task)) {
      continue;
    }
    stored.attempts.push_back({task.task_name, task.attempt, TaskStatus::kCompleted, "",
                               *task.started_at, *task.finished_at});
  }
}

StoredRun read_stored_run(StateStore& store, RunRecord run) {
  StoredRun stored;
  stored.tasks = store.load_tasks(run.run_id);
  stored.attempts = store.load_attempts(run.run_id);
  stored.run = std::move(run);
  restore_held_attempts(stored);
  return stored;
}

}  // namespace

std::vector<WorkflowRuns> read_runs_by_workflow(StateStore& store) {
  std::vector<WorkflowRuns> result;
  for (RunRecord& run : runs_oldest_first(store)) {
    auto group = std::find_if(result.begin(), result.end(),
                              [&](const WorkflowRuns& w) { return w.workflow == run.workflow; });
    if (group == result.end()) group = result.insert(result.end(), WorkflowRuns{run.workflow, {}});
    group->runs.push_back(read_stored_run(store, std::move(run)));
  }
  return result;
}

std::vector<std::string> workflows_with_runs(StateStore& store) {
  std::vector<std::string> workflows;
  for (const RunRecord& run : runs_oldest_first(store)) {
    if (std::find(workflows.begin(), workflows.end(), run.workflow) == workflows.end()) {
      workflows.push_back(run.workflow);
    }
  }
  return workflows;
}

}  // namespace flowweaver
