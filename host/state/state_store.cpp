#include "state/state_store.h"

#include <algorithm>
#include <array>
#include <limits>

namespace flowweaver {
namespace {

constexpr std::array<const char*, 6> kTaskStatusNames = {"PENDING", "RUNNING", "COMPLETED",
                                                         "FAILED",  "SKIPPED", "INTERRUPTED"};
constexpr std::array<const char*, 6> kRunStatusNames = {"PENDING", "RUNNING",     "COMPLETED",
                                                        "FAILED",  "INTERRUPTED", "CANCELLED"};

}  // namespace

const char* to_string(TaskStatus status) { return kTaskStatusNames[static_cast<int>(status)]; }
const char* to_string(RunStatus status) { return kRunStatusNames[static_cast<int>(status)]; }

std::optional<TaskStatus> parse_task_status(std::string_view text) {
  for (size_t i = 0; i < kTaskStatusNames.size(); ++i) {
    if (text == kTaskStatusNames[i]) return static_cast<TaskStatus>(i);
  }
  return std::nullopt;
}

std::optional<RunStatus> parse_run_status(std::string_view text) {
  for (size_t i = 0; i < kRunStatusNames.size(); ++i) {
    if (text == kRunStatusNames[i]) return static_cast<RunStatus>(i);
  }
  return std::nullopt;
}

std::optional<RunRecord> resumable_run(StateStore& store, const std::string& workflow, bool fresh) {
  if (fresh) return std::nullopt;
  std::optional<RunRecord> latest = store.latest_run(workflow);
  if (!latest || is_closed(latest->status) || latest->parent) return std::nullopt;
  return latest;
}

std::optional<RunRecord> StateStore::find_child_run(const std::string& parent_run_id,
                                                    const std::string& parent_task) {
  for (RunRecord& run : list_runs("", std::numeric_limits<size_t>::max())) {
    if (run.parent && run.parent->run_id == parent_run_id && run.parent->task == parent_task) {
      return std::move(run);
    }
  }
  return std::nullopt;
}

void StateStore::import_runs(const std::vector<StoredRun>& runs) {
  for (const StoredRun& stored : runs) {
    create_run(stored.run, stored.tasks);
    std::vector<TaskUpdate> attempts;
    attempts.reserve(stored.attempts.size());
    // apply() writes a task's row with each attempt; its last state is the row as stored.
    for (const AttemptRecord& a : stored.attempts) {
      auto row = std::find_if(stored.tasks.begin(), stored.tasks.end(),
                              [&](const TaskRecord& t) { return t.task_name == a.task_name; });
      if (row != stored.tasks.end()) attempts.push_back({*row, a});
    }
    apply(stored.run.run_id, attempts);
  }
}

bool is_closed(RunStatus status) {
  return status == RunStatus::kCompleted || status == RunStatus::kCancelled;
}

}  // namespace flowweaver
