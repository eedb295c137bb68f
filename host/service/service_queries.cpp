// What the HTTP API and the metrics read: workflows, plugins, runs and task logs, from memory
// and from the state (read through readers_, see state_readers.h).
#include <algorithm>
#include <limits>

#include "exec/host_deaths.h"
#include "service/service.h"
#include "state/record_json.h"
#include "task_log/task_log_path.h"
#include "task_log/task_log_reader.h"
#include "util/error.h"
#include "util/printable.h"
#include "util/time_format.h"

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

nlohmann::json Service::workflows_json() const {
  nlohmann::json out = nlohmann::json::array();
  TimePoint now = clock_.now();
  std::map<std::string, std::string> active;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [name, run] : active_) {
      if (!run->ending) active[name] = run->run_id;
    }
  }
  for (const ServedWorkflow& served : workflows_->list()) {
    const Manifest& m = served.workflow->manifest;
    nlohmann::json j = {
        {"name", m.name},          {"description", m.description}, {"file", served.file.string()},
        {"tasks", m.tasks.size()}, {"schedule", nullptr},          {"next_run_at", nullptr},
        {"catchup", m.catchup},    {"active_run", nullptr}};
    if (served.schedule) {
      j["schedule"] = served.schedule->text();
      j["next_run_at"] = time_to_json(served.schedule->next_after(now));  // null: never
    }
    if (active.count(m.name)) j["active_run"] = active[m.name];
    j["params"] = declarations_json(m.param_decls);
    out.push_back(j);
  }
  return out;
}

nlohmann::json Service::plugins_json() const {
  nlohmann::json out = nlohmann::json::array();
  if (!plugins_) return out;
  for (const auto& plugin : plugins_->registry()->plugins()) {
    out.push_back({{"name", plugin->name()},
                   {"version", plugin->version()},
                   {"file", plugin->path().string()},
                   {"sha256", plugin->sha256()},
                   {"task_types", plugin->task_type_names()}});
  }
  return out;
}

std::optional<nlohmann::json> Service::runs_json(const std::string& workflow, size_t limit) const {
  std::vector<std::string> names;
  if (workflow.empty()) {
    for (const ServedWorkflow& served : workflows_->list()) {
      names.push_back(served.workflow->manifest.name);
    }
  } else if (workflows_->find(workflow)) {
    names.push_back(workflow);
  } else {
    return std::nullopt;
  }
  std::vector<RunRecord> runs;
  for (const std::string& name : names) {
    read_state(name, [&](StateStore& store) {
      for (RunRecord& r : store.list_runs(name, limit)) runs.push_back(std::move(r));
    });
  }
  std::sort(runs.begin(), runs.end(),
            [](const RunRecord& a, const RunRecord& b) { return a.started_at > b.started_at; });
  if (runs.size() > limit) runs.resize(limit);
  nlohmann::json out = nlohmann::json::array();
  for (const RunRecord& r : runs) out.push_back(run_to_json(r));
  return out;
}

std::optional<nlohmann::json> Service::run_json(const std::string& run_id) const {
  for (const ServedWorkflow& served : workflows_->list()) {
    std::optional<RunRecord> run;
    std::vector<AttemptRecord> attempt_records;
    std::vector<TaskRecord> tasks;
    read_state(served.workflow->manifest.name, [&](StateStore& store) {
      run = store.find_run(run_id);
      if (!run) return;
      attempt_records = store.load_attempts(run_id);
      tasks = store.load_tasks(run_id);
    });
    if (!run) continue;
    nlohmann::json out = run_to_json(*run);
    std::map<std::string, nlohmann::json> attempts;
    out["host_deaths"] = describe_host_deaths(attempt_records);
    for (const AttemptRecord& a : attempt_records) {
      nlohmann::json& list = attempts[a.task_name];
      if (list.is_null()) list = nlohmann::json::array();
      list.push_back({{"attempt", a.attempt},
                      {"status", to_string(a.status)},
                      {"error", a.error},
                      {"started_at", time_to_json(a.started_at)},
                      {"finished_at", time_to_json(a.finished_at)},
                      {"duration_ms",
                       std::chrono::duration_cast<Millis>(a.finished_at - a.started_at).count()}});
    }
    out["tasks"] = nlohmann::json::array();
    for (const TaskRecord& t : tasks) {
      nlohmann::json task = task_summary_json(t);
      task["output"] = t.status == TaskStatus::kCompleted
                           ? nlohmann::json::parse(t.result, nullptr, false)
                           : nlohmann::json(nullptr);
      task["attempt_history"] =
          attempts.count(t.task_name) ? attempts[t.task_name] : nlohmann::json::array();
      out["tasks"].push_back(task);
    }
    return out;
  }
  return std::nullopt;
}

TaskLogChunk Service::task_log(const std::string& run_id, const std::string& task,
                               std::optional<int> attempt, uint64_t offset,
                               size_t max_bytes) const {
  if (!workflows_ || !is_safe_path_part(run_id)) {
    throw Error::NotFound("no run '" + printable(run_id) + "'");
  }
  for (const ServedWorkflow& served : workflows_->list()) {
    const std::string& name = served.workflow->manifest.name;
    std::optional<TaskLogLocation> found;
    read_state(name, [&](StateStore& store) {
      if (!store.find_run(run_id)) return;
      // The row before the bytes: what was written before the attempt was seen over is included.
      found = locate_task_log(store, config_.log_dir, name, run_id, task, attempt);
    });
    if (!found) continue;
    const TaskLogLocation& where = *found;
    bool over = attempt_is_over(where.task, where.attempt);
    std::optional<LogBytes> bytes = read_log_bytes(where.path, offset, max_bytes);
    if (!bytes && !logged_nothing(where)) throw Error::NotFound(missing_log_message(where));
    TaskLogChunk chunk;
    chunk.workflow = name;
    chunk.attempt = where.attempt;
    chunk.next_offset = offset;
    if (bytes) {
      chunk.next_offset = bytes->next_offset;
      chunk.bytes = std::move(bytes->bytes);
    }
    chunk.finished = over && chunk.bytes.size() < max_bytes;
    return chunk;
  }
  throw Error::NotFound("no run '" + printable(run_id) + "' of a served workflow");
}

}  // namespace flowweaver
