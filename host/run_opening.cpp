#include "run_opening.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <unordered_map>

#include "run_id.h"
#include "run_params.h"
#include "workflow.h"

namespace flowweaver {
namespace {

TaskRecord pending_record(const std::string& name, int position, TimePoint now) {
  TaskRecord r;
  r.task_name = name;
  r.position = position;
  r.status = TaskStatus::kPending;
  r.timestamp = now;
  return r;
}

// A task whose row an operator deleted (the operating guide's runbook) runs again, but its
// attempt numbers go on from those already recorded, so no attempt's history is overwritten.
void continue_attempt_numbers(StateStore& store, const std::string& run_id,
                              std::vector<TaskRecord>* records, std::vector<TaskUpdate>* added) {
  std::unordered_map<std::string, int> last_attempt;
  for (const AttemptRecord& a : store.load_attempts(run_id)) {
    int& last = last_attempt[a.task_name];
    last = std::max(last, a.attempt);
  }
  for (TaskUpdate& update : *added) {
    auto it = last_attempt.find(update.task.task_name);
    if (it == last_attempt.end()) continue;
    update.task.attempt = it->second;
    (*records)[update.task.position].attempt = it->second;
  }
}

// A run keeps the parameters it was created with (and gets those declared since); a run stored
// before runs kept them gets them resolved now, once.
void freeze_resumed_params(RunRecord* run, const Workflow& w, const ExecuteOptions& options) {
  if (run->params) {
    run->params = resume_run_params(w.manifest, *run->params, options.given_params, run->run_id,
                                    process_env, options.params_source);
  } else {
    run->params =
        resolve_run_params(w.manifest, options.given_params, process_env, options.params_source);
  }
}

// Continues `run`: one record per manifest task, adding rows for tasks the stored run lacks
// (new in the manifest, or deleted by an operator).
OpenedRun resume_run(StateStore& store, RunRecord run, const Workflow& w, TimePoint now,
                     spdlog::logger& log, const ExecuteOptions& options) {
  const Manifest& m = w.manifest;
  freeze_resumed_params(&run, w, options);
  std::unordered_map<std::string, TaskRecord> stored;
  for (TaskRecord& r : store.load_tasks(run.run_id)) stored.emplace(r.task_name, std::move(r));
  std::vector<TaskRecord> records;
  std::vector<TaskUpdate> added;
  size_t completed = 0;
  for (size_t i = 0; i < m.tasks.size(); ++i) {
    auto it = stored.find(m.tasks[i].name);
    if (it == stored.end()) {
      records.push_back(pending_record(m.tasks[i].name, static_cast<int>(i), now));
      added.push_back({records.back(), std::nullopt});
    } else {
      records.push_back(std::move(it->second));
      records.back().position = static_cast<int>(i);
      completed += records.back().status == TaskStatus::kCompleted;
    }
  }
  if (!added.empty()) continue_attempt_numbers(store, run.run_id, &records, &added);
  store.apply(run.run_id, added);
  if (run.manifest_hash != w.manifest_hash) {
    log.warn(
        "the manifest changed since run {} started; its {} completed task(s) are kept "
        "(use --fresh to start over)",
        run.run_id, completed);
    run.manifest_hash = w.manifest_hash;
  }
  log.info("resuming run {} of {} ({} of {} tasks already completed)", run.run_id, m.name,
           completed, m.tasks.size());
  run.status = RunStatus::kRunning;
  run.finished_at.reset();
  store.update_run(run);
  return {run, std::move(records)};
}

OpenedRun create_run(StateStore& store, const Workflow& w, TimePoint now, spdlog::logger& log,
                     const ExecuteOptions& options) {
  const Manifest& m = w.manifest;
  nlohmann::json params =
      resolve_run_params(m, options.given_params, process_env, options.params_source);
  // The caller holds the state's writer lock (open_state_store), which makes the id unique.
  RunRecord run{new_run_id(store, now, std::random_device{}()),
                m.name,
                RunStatus::kRunning,
                now,
                std::nullopt,
                w.manifest_hash,
                std::move(params)};
  std::vector<TaskRecord> records;
  records.reserve(m.tasks.size());
  for (size_t i = 0; i < m.tasks.size(); ++i) {
    records.push_back(pending_record(m.tasks[i].name, static_cast<int>(i), now));
  }
  run.parent = options.parent;
  store.create_run(run, records);
  if (run.parent) {
    log.info("starting run {} of {} ({} tasks) for task '{}' of run {} of {}", run.run_id, m.name,
             m.tasks.size(), run.parent->task, run.parent->run_id, run.parent->workflow);
  } else {
    log.info("starting run {} of {} ({} tasks)", run.run_id, m.name, m.tasks.size());
  }
  return {run, std::move(records)};
}

// A sub-workflow's run: the one its parent's task started, unless that one is over.
std::optional<RunRecord> linked_run(StateStore& store, const RunParent& parent) {
  std::optional<RunRecord> run = store.find_child_run(parent.run_id, parent.task);
  if (!run || is_closed(run->status)) return std::nullopt;
  return run;
}

}  // namespace

OpenedRun open_run(StateStore& store, const Workflow& w, TimePoint now, spdlog::logger& log,
                   const ExecuteOptions& options) {
  if (options.parent) {
    if (std::optional<RunRecord> run = linked_run(store, *options.parent)) {
      return resume_run(store, *run, w, now, log, options);
    }
    return create_run(store, w, now, log, options);
  }
  if (std::optional<RunRecord> run = resumable_run(store, w.manifest.name, options.fresh)) {
    return resume_run(store, *run, w, now, log, options);
  }
  return create_run(store, w, now, log, options);
}

}  // namespace flowweaver
