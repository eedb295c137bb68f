#include "repair/task_mark.h"

#include <algorithm>
#include <unordered_map>

namespace flowweaver {
namespace {

std::vector<UnfinishedUpstream> unfinished_upstream(
    const Manifest& m, uint32_t task, const std::unordered_map<std::string, TaskRecord>& stored) {
  std::vector<UnfinishedUpstream> unfinished;
  for (const std::string& up : m.tasks[task].depends_on) {
    auto it = stored.find(up);
    TaskStatus status = it == stored.end() ? TaskStatus::kPending : it->second.status;
    if (status != TaskStatus::kCompleted) unfinished.push_back({up, status});
  }
  return unfinished;
}

TaskUpdate marked(TaskRecord task, const TaskMark& mark, int last_attempt, TimePoint now) {
  task.status = mark.completed ? TaskStatus::kCompleted : TaskStatus::kFailed;
  task.attempt = std::max(task.attempt, last_attempt) + 1;
  task.result = mark.completed ? mark.output : "";
  std::string reason = mark.error.empty() ? "" : ": " + mark.error;
  task.error = mark.completed ? "" : (mark.error.empty() ? mark.note : mark.error);
  task.timestamp = now;
  task.started_at = now;
  task.finished_at = now;
  task.next_attempt_at.reset();
  AttemptRecord attempt{task.task_name, task.attempt, task.status, mark.note + reason, now, now};
  return {task, attempt};
}

}  // namespace

TaskMarkResult record_task_mark(StateStore& store, const Manifest& m, uint32_t task,
                                const RunRecord& run, const TaskMark& mark, TimePoint now) {
  std::unordered_map<std::string, TaskRecord> stored;
  for (TaskRecord& r : store.load_tasks(run.run_id)) stored.emplace(r.task_name, r);
  TaskMarkResult result;
  if (mark.completed) result.unfinished = unfinished_upstream(m, task, stored);
  const std::string& name = m.tasks[task].name;
  TaskRecord record;
  if (auto it = stored.find(name); it != stored.end()) record = it->second;
  record.task_name = name;
  record.position = static_cast<int>(task);
  int last_attempt = 0;
  for (const AttemptRecord& a : store.load_attempts(run.run_id)) {
    if (a.task_name == name) last_attempt = std::max(last_attempt, a.attempt);
  }
  result.update = marked(record, mark, last_attempt, now);
  store.apply(run.run_id, {result.update});
  return result;
}

}  // namespace flowweaver
