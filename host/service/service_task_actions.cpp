// Service::reset_task and Service::mark_task: the repairs of repair/ on a served workflow's
// latest run, under the rules that keep them from racing a run (docs/service.md).
#include "manifest/validator.h"
#include "repair/task_reset.h"
#include "service/service.h"
#include "state/record_json.h"
#include "state/state_lock.h"
#include "util/error.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

using Code = TaskActionResult::Code;

// "no task 'x' in workflow 'w'", with the nearest name; an item's name says what to do instead.
std::string unknown_task_message(const Manifest& m, const std::string& task) {
  std::vector<std::string> names;
  for (const TaskSpec& t : m.tasks) {
    names.push_back(t.name);
    if (t.fan_out && task.size() > t.name.size() && task.starts_with(t.name + "[")) {
      return "'" + task + "' is an item of the foreach/matrix task '" + t.name +
             "', and items are reset and marked with their task: name '" + t.name + "'";
    }
  }
  return "no task '" + task + "' in workflow '" + m.name + "'" + did_you_mean(task, names);
}

}  // namespace

TaskActionResult Service::repair_latest_run(const std::string& run_id, const std::string& task,
                                            const Repair& repair) {
  try {
    std::optional<std::pair<std::string, RunRecord>> found = find_served_run(run_id);
    std::optional<ServedWorkflow> served;
    if (found) served = workflows_->find(found->first);
    if (!served) return {Code::kUnknownRun, "no run with id '" + run_id + "'", nullptr};
    const Manifest& m = served->workflow->manifest;
    std::unordered_map<std::string, uint32_t> index = index_tasks(m);
    auto it = index.find(task);
    if (it == index.end()) return {Code::kUnknownTask, unknown_task_message(m, task), nullptr};
    // Under mutex_ to the end, so that no run of the workflow starts while its state is repaired.
    std::unique_lock<std::mutex> lock(mutex_);
    // A run whose end a client has just seen may not be reaped yet; its thread only has the
    // state left to close, and takes mutex_ no more.
    if (std::shared_ptr<ActiveRun> ended = take_ending_run(lock, m.name)) ended->thread.join();
    if (auto active = active_.find(m.name); active != active_.end()) {
      const std::string& id = active->second->run_id;
      return {Code::kActive,
              "run " + id + " of '" + m.name + "' is active: cancel it first (POST /api/runs/" +
                  id + "/cancel), then wait for its end",
              nullptr};
    }
    std::unique_ptr<StateStore> store;
    try {
      store = open_state_store(state_path(m.name), Durability::kNormal);
    } catch (const StateInUse& e) {
      return {Code::kHeldElsewhere, std::string(e.what()) + ": wait for that process to end",
              nullptr};
    }
    std::optional<RunRecord> latest = store->latest_run(m.name);
    if (!latest || latest->run_id != run_id) {
      return {Code::kNotLatest,
              "run " + run_id + " is not the latest run of '" + m.name + "': only the latest (" +
                  (latest ? latest->run_id : "none") + ") can be reset or marked",
              nullptr};
    }
    nlohmann::json body = repair(*store, *served, *latest, it->second);
    body["run_id"] = run_id;
    body["workflow"] = m.name;
    return {Code::kDone, "", body};
  } catch (const std::exception& e) {
    return {Code::kFailed, e.what(), nullptr};
  }
}

TaskActionResult Service::reset_task(const std::string& run_id, const std::string& task) {
  return repair_latest_run(
      run_id, task,
      [&](StateStore& store, const ServedWorkflow& served, RunRecord run, uint32_t index) {
        const Workflow& w = *served.workflow;
        TaskResetResult done =
            reset_task_and_dependents(store, w.manifest, w.dag, index, run, clock_.now());
        log_->info("run {} of '{}': reset {} task(s) over HTTP: {}", run_id, w.manifest.name,
                   done.reset.size(), join(done.reset));
        return nlohmann::json{{"reset", done.reset},
                              {"items", done.num_items},
                              {"run_status", to_string(done.run.status)}};
      });
}

TaskActionResult Service::mark_task(const std::string& run_id, const std::string& task,
                                    TaskMark mark) {
  return repair_latest_run(
      run_id, task,
      [&](StateStore& store, const ServedWorkflow& served, RunRecord run, uint32_t index) {
        const Manifest& m = served.workflow->manifest;
        if (is_closed(run.status)) {  // reopened, as reset does, so the next start resumes it
          run.status = RunStatus::kPending;
          run.finished_at.reset();
          store.update_run(run);
        }
        TaskMarkResult done = record_task_mark(store, m, index, run, mark, clock_.now());
        log_->info("run {} of '{}': task '{}' marked {} over HTTP", run_id, m.name,
                   m.tasks[index].name, to_string(done.update.task.status));
        nlohmann::json body = task_summary_json(done.update.task);
        body["output"] = mark.completed ? nlohmann::json::parse(mark.output) : nullptr;
        body["run_status"] = to_string(run.status);
        body["upstream_not_completed"] = nlohmann::json::array();
        for (const UnfinishedUpstream& up : done.unfinished) {
          body["upstream_not_completed"].push_back(
              {{"task", up.task}, {"status", to_string(up.status)}});
        }
        return body;
      });
}

}  // namespace flowweaver
