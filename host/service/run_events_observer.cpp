#include "service/run_events_observer.h"

#include "state/record_json.h"

namespace flowweaver {

RunEventsObserver::RunEventsObserver(const Manifest& manifest) {
  for (const TaskSpec& task : manifest.tasks) task_names_.push_back(task.name);
}

// Kept whether anyone listens or not: a client may come while the items run.
void RunEventsObserver::on_item_added(const TaskItem& item) {
  items_[item.slot] = {item.task, item.index};
}

void RunEventsObserver::on_task_row(uint32_t task, const TaskRecord& row) {
  if (!channel_ || !channel_->has_listeners()) return;
  channel_->send("task", row_json(task, row).dump());
}

nlohmann::json RunEventsObserver::row_json(uint32_t task, const TaskRecord& row) const {
  nlohmann::json j = task_summary_json(row);
  j["output"] = nullptr;
  if (row.status == TaskStatus::kCompleted) {
    nlohmann::json output = nlohmann::json::parse(row.result, nullptr, false);
    if (!output.is_discarded()) j["output"] = std::move(output);
  }
  j["parent_task"] = nullptr;
  j["item_index"] = nullptr;
  auto item = items_.find(task);
  if (item != items_.end() && item->second.task < task_names_.size()) {
    j["parent_task"] = task_names_[item->second.task];
    j["item_index"] = item->second.index;
  }
  return j;
}

}  // namespace flowweaver
