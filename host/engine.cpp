#include "engine.h"

#include <csignal>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "exec/crash_marker.h"
#include "exec/in_process_runner.h"
#include "exec/scheduler.h"
#include "isolation/process_runner.h"
#include "run_id.h"
#include "run_logger.h"
#include "run_summary.h"
#include "util/error.h"
#include "util/printable.h"
#include "workflow.h"

namespace flowweaver {

int StopSwitch::signal() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return signal_;
}

// stop_ is called under the lock, so uninstall() guarantees it is not running afterwards.
void StopSwitch::trigger(int signal) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (signal_ == 0) signal_ = signal;
  if (stop_) stop_();
}

void StopSwitch::install(std::function<void()> stop) {
  std::lock_guard<std::mutex> lock(mutex_);
  stop_ = std::move(stop);
  if (signal_ != 0) stop_();
}

void StopSwitch::uninstall() {
  std::lock_guard<std::mutex> lock(mutex_);
  stop_ = nullptr;
}

namespace {

TaskRecord pending_record(const std::string& name, int position, TimePoint now) {
  TaskRecord r;
  r.task_name = name;
  r.position = position;
  r.status = TaskStatus::kPending;
  r.timestamp = now;
  return r;
}

using OpenedRun = std::pair<RunRecord, std::vector<TaskRecord>>;

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

// Continues `run`: one record per manifest task, adding rows for tasks the stored run lacks
// (new in the manifest, or deleted by an operator).
OpenedRun resume_run(StateStore& store, RunRecord run, const Workflow& w, TimePoint now,
                     spdlog::logger& log) {
  const Manifest& m = w.manifest;
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

OpenedRun create_run(StateStore& store, const Workflow& w, TimePoint now, spdlog::logger& log) {
  const Manifest& m = w.manifest;
  // The caller holds the state's writer lock (open_state_store), which makes the id unique.
  RunRecord run{new_run_id(store, now, std::random_device{}()),
                m.name,
                RunStatus::kRunning,
                now,
                std::nullopt,
                w.manifest_hash};
  std::vector<TaskRecord> records;
  records.reserve(m.tasks.size());
  for (size_t i = 0; i < m.tasks.size(); ++i) {
    records.push_back(pending_record(m.tasks[i].name, static_cast<int>(i), now));
  }
  store.create_run(run, records);
  log.info("starting run {} of {} ({} tasks)", run.run_id, m.name, m.tasks.size());
  return {run, std::move(records)};
}

OpenedRun open_run(StateStore& store, const Workflow& w, bool fresh, TimePoint now,
                   spdlog::logger& log) {
  if (std::optional<RunRecord> run = resumable_run(store, w.manifest.name, fresh)) {
    return resume_run(store, *run, w, now, log);
  }
  return create_run(store, w, now, log);
}

int exit_code_for(RunStatus status, int signal) {
  switch (status) {
    case RunStatus::kCompleted:
      return kExitOk;
    case RunStatus::kInterrupted:
      return signal == SIGINT ? kExitSigint : kExitSigterm;
    default:
      return kExitTaskFailed;
  }
}

}  // namespace

RunOutcome execute_run(const Workflow& w, StateStore& store, std::shared_ptr<spdlog::logger> log,
                       Clock& clock, StopSwitch& stop_switch, const ExecuteOptions& options) {
  auto [run, records] = open_run(store, w, options.fresh, clock.now(), *log);
  if (options.on_opened) options.on_opened(run);
  RunLogger run_logger(log, w.manifest, run.run_id);
  ObserverList observers;
  observers.add(&run_logger);
  if (options.observer) observers.add(options.observer);
  InProcessRunner in_process(w.manifest, w.task_types, w.params, process_env,
                             run_logger.task_log_sink());
  if (!options.crash_marker.empty()) {
    install_crash_handlers();
    in_process.mark_crashes_in(options.crash_marker, run.run_id);
  }
  // Tasks with `isolation: process` run in a child; SIGKILL comes before the scheduler's own
  // grace period would write the call off.
  ProcessRunner runner(w.manifest, w.task_types, in_process, task_helper_path(),
                       std::max(Millis(100), options.grace_period / 2), run_logger.task_log_sink());
  SchedulerOptions scheduler_options;
  scheduler_options.max_workers = options.max_workers;
  scheduler_options.grace_period = options.grace_period;
  scheduler_options.drain_period = options.drain_period;
  scheduler_options.crash_marker = options.crash_marker;
  Scheduler scheduler(w.manifest, w.dag, runner, store, clock, observers, scheduler_options);
  stop_switch.install([&scheduler] { scheduler.request_stop(); });
  struct Uninstall {
    StopSwitch& s;
    ~Uninstall() { s.uninstall(); }
  } uninstall{stop_switch};
  SchedulerResult result = scheduler.run(run.run_id, std::move(records));
  run.status = result.status;
  run.finished_at = clock.now();
  if (options.on_ending) options.on_ending();
  store.update_run(run);
  return {run, std::move(result)};
}

RunReport run_workflow(const RunOptions& options, StopSwitch& stop_switch) {
  std::shared_ptr<spdlog::logger> log;
  try {
    log = make_logger(options.log_file, options.log_level);
  } catch (const Error& e) {
    std::cerr << "error: " << printable(e.what()) << "\n";
    return {kExitInvalid, false};
  }
  DiagnosticList diagnostics(options.manifest_file);
  std::optional<Workflow> w =
      load_workflow(options.manifest_file, options.plugin_dirs, process_env, &diagnostics);
  if (!w) {
    std::cerr << diagnostics.to_string() << diagnostics.size()
              << " problem(s) found; nothing was run.\n";
    return {kExitInvalid, false};
  }
  for (const PluginLoadFailure& f : w->plugins->failures()) log->warn("{}", f.message);
  for (const auto& plugin : w->plugins->plugins()) {
    log->info("plugin '{}' {} from {} sha256={}", plugin->name(), plugin->version(),
              plugin->path().string(), plugin->sha256());
  }
  SystemClock clock;
  std::string state_path =
      options.state_path.empty() ? default_state_path(w->manifest.name) : options.state_path;
  try {
    std::unique_ptr<StateStore> store = open_state_store(state_path, options.durability);
    ExecuteOptions execute;
    execute.fresh = options.fresh;
    execute.max_workers = options.max_workers.value_or(
        w->manifest.max_workers.value_or(static_cast<int>(std::thread::hardware_concurrency())));
    execute.grace_period = options.grace_period;
    execute.crash_marker = crash_marker_path(state_path);
    RunOutcome outcome = execute_run(*w, *store, log, clock, stop_switch, execute);
    print_run_summary(std::cout, w->manifest.name, outcome.run, outcome.result.tasks);
    int code = exit_code_for(outcome.result.status, stop_switch.signal());
    log->info("run {} of {} {} (exit code {})", outcome.run.run_id, w->manifest.name,
              to_string(outcome.result.status), code);
    return {code, outcome.result.abandoned_calls};
  } catch (const Error& e) {
    log->error("{}", e.what());
    return {kExitRuntime, false};
  }
}

}  // namespace flowweaver
