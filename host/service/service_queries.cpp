// What the HTTP API's views (service/views/), the metrics and the task logs read: from memory
// and from the state (read through readers_, see state_readers.h).
#include <limits>

#include "service/service.h"
#include "service/views/run_lookup.h"
#include "task_log/task_log_path.h"
#include "task_log/task_log_reader.h"
#include "util/error.h"
#include "util/printable.h"

namespace flowweaver {

std::optional<TimePoint> Service::last_success_in_state(const std::string& workflow) const {
  std::optional<TimePoint> last;
  read_state(workflow, [&](StateStore& store) {
    for (const RunRecord& run : store.list_runs(workflow, std::numeric_limits<int64_t>::max())) {
      if (run.status == RunStatus::kCompleted && run.finished_at) {
        last = run.finished_at;
        return;
      }
    }
  });
  return last;
}

bool Service::read_state(const std::string& workflow,
                         const std::function<void(StateStore&)>& read) const {
  return readers_.read(state_path(workflow), read);
}

std::optional<ServedWorkflow> Service::served_workflow(const std::string& name) const {
  if (!workflows_) return std::nullopt;
  return workflows_->find(name);
}

std::vector<ServedWorkflow> Service::served_workflows() const {
  if (!workflows_) return {};
  return workflows_->list();
}

std::map<std::string, std::string> Service::active_run_ids() const {
  std::map<std::string, std::string> ids;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [name, run] : active_) {
    if (!run->ending && !run->run_id.empty()) ids[name] = run->run_id;
  }
  return ids;
}

std::shared_ptr<const PluginRegistry> Service::plugin_registry() const {
  return plugins_ ? plugins_->registry() : nullptr;
}

std::optional<TimePoint> Service::last_success(const std::string& workflow) const {
  return last_success_.last(workflow);
}

TaskLogChunk Service::task_log(const std::string& run_id, const std::string& task,
                               std::optional<int> attempt, uint64_t offset,
                               size_t max_bytes) const {
  if (!workflows_ || !is_safe_path_part(run_id)) {
    throw Error::NotFound("no run '" + printable(run_id) + "'");
  }
  std::optional<TaskLogLocation> found;
  std::optional<std::string> workflow = read_run_state(*this, run_id, [&](StateStore& store) {
    std::optional<RunRecord> run = store.find_run(run_id);
    if (!run) return false;
    // The row before the bytes: what was written before the attempt was seen over is included.
    found = locate_task_log(store, config_.log_dir, run->workflow, run_id, task, attempt);
    return true;
  });
  if (!workflow || !found) {
    throw Error::NotFound("no run '" + printable(run_id) + "' of a served workflow");
  }
  const TaskLogLocation& where = *found;
  bool over = attempt_is_over(where.task, where.attempt);
  std::optional<LogBytes> bytes = read_log_bytes(where.path, offset, max_bytes);
  if (!bytes && !logged_nothing(where)) throw Error::NotFound(missing_log_message(where));
  TaskLogChunk chunk;
  chunk.workflow = *workflow;
  chunk.attempt = where.attempt;
  chunk.next_offset = offset;
  if (bytes) {
    chunk.next_offset = bytes->next_offset;
    chunk.bytes = std::move(bytes->bytes);
  }
  chunk.finished = over && chunk.bytes.size() < max_bytes;
  return chunk;
}

}  // namespace flowweaver
