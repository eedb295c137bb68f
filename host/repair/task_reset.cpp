#include "repair/task_reset.h"

#include <unordered_map>

namespace flowweaver {
namespace {

TaskUpdate reopened(TaskRecord r, int position, TimePoint now) {
  r.position = position;
  r.status = TaskStatus::kPending;
  r.result.clear();
  r.error.clear();
  r.timestamp = now;
  r.started_at.reset();
  r.finished_at.reset();
  r.next_attempt_at.reset();
  return {std::move(r), std::nullopt};
}

bool is_item_of(const std::string& row, const std::string& task) {
  return row.size() > task.size() && row.starts_with(task + "[");
}

}  // namespace

TaskResetResult reset_task_and_dependents(StateStore& store, const Manifest& m, const Dag& dag,
                                          uint32_t task, RunRecord run, TimePoint now) {
  std::unordered_map<std::string, TaskRecord> stored;
  for (TaskRecord& r : store.load_tasks(run.run_id)) stored.emplace(r.task_name, r);
  TaskResetResult result;
  std::vector<TaskUpdate> updates;
  for (uint32_t t : dag.with_dependents(task)) {
    TaskRecord r;
    auto found = stored.find(m.tasks[t].name);
    if (found != stored.end()) r = found->second;
    r.task_name = m.tasks[t].name;
    updates.push_back(reopened(r, static_cast<int>(t), now));
    result.reset.push_back(r.task_name);
    if (!m.tasks[t].fan_out) continue;
    // Its items too (`task[...]`), keeping their attempt numbers, so that every one runs again.
    for (const auto& [name, row] : stored) {
      if (!is_item_of(name, r.task_name)) continue;
      updates.push_back(reopened(row, static_cast<int>(t), now));
      ++result.num_items;
    }
  }
  store.apply(run.run_id, updates);
  if (is_closed(run.status)) {
    run.status = RunStatus::kPending;  // so the next run resumes it instead of starting anew
    run.finished_at.reset();
    store.update_run(run);
    result.reopened = true;
  }
  result.run = std::move(run);
  return result;
}

}  // namespace flowweaver
