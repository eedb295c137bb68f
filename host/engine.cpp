#include "engine.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <iostream>
#include <thread>

#include "cluster/claiming_runner.h"
#include "exec/crash_marker.h"
#include "exec/fan_out_items.h"
#include "exec/manifest_conditions.h"
#include "exec/masking_runner.h"
#include "exec/scheduler.h"
#include "local_runner_chain.h"
#include "pool_declarations.h"
#include "progress/progress_line.h"
#include "progress/terminal_status.h"
#include "run_id.h"
#include "run_logger.h"
#include "run_opening.h"
#include "run_summary.h"
#include "state/state_location.h"
#include "subworkflow_runner.h"
#include "task_log/task_log_files.h"
#include "task_log/task_log_path.h"
#include "util/error.h"
#include "util/log_format.h"
#include "util/printable.h"
#include "workflow.h"

namespace flowweaver {

namespace {

int exit_code_for(RunStatus status, int signal) {
  switch (status) {
    case RunStatus::kCompleted:
      return kExitOk;
    case RunStatus::kCancelled:
      return kExitCancelled;
    case RunStatus::kInterrupted:
      return signal == SIGINT ? kExitSigint : kExitSigterm;
    default:
      return kExitTaskFailed;
  }
}

std::shared_ptr<TaskLogFiles> task_log_files_for(const Workflow& w, const std::string& run_id,
                                                 const ExecuteOptions& options,
                                                 std::shared_ptr<spdlog::logger> log) {
  if (options.task_log_root.empty()) return nullptr;
  std::vector<std::string> names;
  for (const TaskSpec& t : w.manifest.tasks) names.push_back(t.name);
  return std::make_shared<TaskLogFiles>(
      task_log_run_dir(options.task_log_root, w.manifest.name, run_id), std::move(names),
      options.task_log_max_bytes, std::move(log));
}

// On a terminal with a progress line, the log's stderr lines are only the problems (a failed
// task must be seen), printed above the line; a --log-file still gets every level.
void show_problems_above(spdlog::logger& log, std::shared_ptr<TerminalStatus> terminal) {
  auto sink = std::make_shared<TerminalStatusSink>(std::move(terminal));
  sink->set_formatter(make_log_formatter());
  sink->set_level(spdlog::level::warn);
  log.sinks().front() = sink;  // make_logger's first sink is stderr
}

// What ${run.status} says of the DAG's outcome: the run status, in the lower case of `running`.
std::string outcome_word(RunStatus status) {
  std::string word = to_string(status);
  for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return word;
}

// One `error:` line per problem: a message may list several, one per line.
void print_refusal(const std::string& message) {
  size_t start = 0;
  while (start <= message.size()) {
    size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    std::cerr << "error: " << printable(std::string_view(message).substr(start, end - start))
              << "\n";
    start = end + 1;
  }
  std::cerr << "nothing was run.\n";
}

size_t num_completed(const std::vector<TaskRecord>& tasks) {
  return static_cast<size_t>(std::count_if(tasks.begin(), tasks.end(), [](const TaskRecord& t) {
    return t.status == TaskStatus::kCompleted;
  }));
}

}  // namespace

RunOutcome execute_run(const Workflow& w, StateStore& store, std::shared_ptr<spdlog::logger> log,
                       Clock& clock, StopSwitch& stop_switch, const ExecuteOptions& options) {
  auto [run, records] = open_run(store, w, clock.now(), *log, options);
  if (options.on_opened) options.on_opened(run);
  RunLogger run_logger(log, w.manifest, run.run_id, w.secret_mask);
  ObserverList observers;
  observers.add(&run_logger);
  if (options.observer) observers.add(options.observer);
  TaskLogSink task_log = run_logger.task_log_sink();
  // Shared with the sink: a call that ignored cancellation may still log after the run ended.
  std::shared_ptr<TaskLogFiles> task_files = task_log_files_for(w, run.run_id, options, log);
  if (task_files) {
    observers.add(task_files.get());
    task_log = both_sinks(std::move(task_log), [task_files, mask = w.secret_mask](
                                                   uint32_t task, const TaskItem* item, int attempt,
                                                   fw_log_level level, std::string_view message) {
      task_files->write(task, item, attempt, level, mask.mask(message));
    });
  }
  // Shared with the scheduler, which sets the run's outcome before the handlers start.
  auto run_context = std::make_shared<RunContext>(run.run_id, run.started_at, w.manifest.name,
                                                  run.params.value_or(nlohmann::json::object()));
  LocalRunnerChain local(w, run_context, task_log, options.grace_period, options.crash_marker);
  InProcessRunner& in_process = local.in_process();
  // `uses: workflow.run` tasks run a child workflow: the host's own task type.
  SubworkflowRunner subworkflows(local.calls(), in_process,
                                 {&w, run.run_id, log, &clock, &stop_switch, options});
  // With a cluster, the other tasks' attempts go to whichever host claims them.
  std::optional<ClaimingRunner> claiming;
  if (options.cluster) claiming.emplace(subworkflows, w, run.run_id, *options.cluster);
  MaskingRunner masked(claiming ? static_cast<TaskRunner&>(*claiming) : subworkflows,
                       w.secret_mask);
  SchedulerOptions scheduler_options;
  scheduler_options.max_workers = options.max_workers;
  scheduler_options.grace_period = options.grace_period;
  scheduler_options.drain_period = options.drain_period;
  scheduler_options.crash_marker = options.crash_marker;
  scheduler_options.condition = manifest_conditions(w.manifest, run_context->params(), run.run_id);
  scheduler_options.pools = options.pools;
  scheduler_options.list_items = [&in_process, &w](uint32_t task, const OutputTable& outputs) {
    const TaskSpec& spec = w.manifest.tasks[task];
    nlohmann::json listed = spec.fan_out->kind == FanOut::Kind::kForEach
                                ? in_process.resolve_foreach(task, outputs)
                                : nlohmann::json();
    return expand_fan_out(spec, listed);
  };
  scheduler_options.run_started = run.started_at;  // the run's timeout counts across resumes
  scheduler_options.on_handlers_start = [run_context](RunStatus status,
                                                      const std::vector<std::string>& failed) {
    run_context->set_outcome(outcome_word(status), failed);
  };
  Scheduler scheduler(w.manifest, w.dag, masked, store, clock, observers, scheduler_options);
  stop_switch.install([&scheduler](StopReason reason) { scheduler.request_stop(reason); },
                      run.run_id);
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

namespace {

// The pools `--pool` declares into `pools` (null: none); false, with the problems printed, when
// a task names another one. Throws PoolDeclarationRefused for a malformed --pool.
bool pools_for_run(const Workflow& w, const std::vector<std::string>& assignments,
                   std::shared_ptr<PoolSlots>* pools) {
  std::map<std::string, int> slots = parse_pool_assignments(assignments);
  DiagnosticList undeclared(w.manifest.file);
  check_pools_declared(
      w.manifest, slots,
      [](const std::string& pool) { return "give it slots with --pool " + pool + "=N"; },
      &undeclared);
  if (!undeclared.empty()) {
    std::cerr << undeclared.to_string() << undeclared.size()
              << " problem(s) found; nothing was run.\n";
    return false;
  }
  if (!slots.empty()) *pools = std::make_shared<PoolSlots>(std::move(slots));
  return true;
}

}  // namespace

RunReport run_workflow(const RunOptions& options, StopSwitch& stop_switch) {
  std::shared_ptr<spdlog::logger> log;
  try {
    log = make_logger(options.log_file, options.log_level);
  } catch (const Error& e) {
    std::cerr << "error: " << printable(e.what()) << "\n";
    return {kExitInvalid, false};
  }
  std::shared_ptr<TerminalStatus> terminal;
  if (options.progress) {
    terminal = std::make_shared<TerminalStatus>(STDERR_FILENO);
    show_problems_above(*log, terminal);
  }
  DiagnosticList diagnostics(options.manifest_file);
  std::optional<Workflow> w =
      load_workflow(options.manifest_file, options.plugin_dirs, process_env, &diagnostics);
  if (!w) {
    std::cerr << diagnostics.to_string() << diagnostics.size()
              << " problem(s) found; nothing was run.\n";
    return {kExitInvalid, false};
  }
  nlohmann::json given_params;
  std::shared_ptr<PoolSlots> pools;
  try {
    given_params =
        params_from_command_line(w->manifest, options.param_assignments, options.param_file);
    if (!pools_for_run(*w, options.pool_assignments, &pools)) return {kExitInvalid, false};
  } catch (const ParamsRefused& e) {
    print_refusal(e.what());
    return {kExitInvalid, false};
  } catch (const PoolDeclarationRefused& e) {
    print_refusal(e.what());
    return {kExitInvalid, false};
  }
  for (const PluginLoadFailure& f : w->plugins->failures()) log->warn("{}", f.message);
  for (const auto& plugin : w->plugins->plugins()) {
    log->info("plugin '{}' {} from {} sha256={}", plugin->name(), plugin->version(),
              plugin->path().string(), plugin->sha256());
  }
  SystemClock clock;
  std::string state_path = options.state_path.empty()
                               ? default_state_path(w->manifest.name)
                               : workflow_state(options.state_path, w->manifest.name);
  try {
    std::unique_ptr<StateStore> store = open_state_store(state_path, options.durability);
    stop_switch.watch_cancel_requests(state_path);
    ExecuteOptions execute;
    execute.fresh = options.fresh;
    execute.given_params = std::move(given_params);
    execute.max_workers = options.max_workers.value_or(
        w->manifest.max_workers.value_or(static_cast<int>(std::thread::hardware_concurrency())));
    execute.grace_period = options.grace_period;
    execute.task_log_root = options.log_dir;
    execute.pools = std::move(pools);
    std::optional<ProgressLine> progress;
    if (terminal) {
      progress.emplace(*terminal, w->manifest.tasks.size(), clock);
      execute.observer = &*progress;
      execute.on_opened = [&](const RunRecord& run) {
        progress->add_done(num_completed(store->load_tasks(run.run_id)));
      };
    }
    execute.crash_marker = crash_marker_path(state_path);
    execute.state_path = state_path;
    execute.durability = options.durability;
    RunOutcome outcome = execute_run(*w, *store, log, clock, stop_switch, execute);
    if (progress) progress->finish();
    print_run_summary(std::cout, w->manifest.name, outcome.run, outcome.result.tasks);
    int code = exit_code_for(outcome.result.status, stop_switch.signal());
    log->info("run {} of {} {} (exit code {})", outcome.run.run_id, w->manifest.name,
              to_string(outcome.result.status), code);
    return {code, outcome.result.abandoned_calls};
  } catch (const ParamsRefused& e) {  // nothing ran
    print_refusal(e.what());
    return {kExitInvalid, false};
  } catch (const Error& e) {
    log->error("{}", e.what());
    return {kExitRuntime, false};
  }
}

}  // namespace flowweaver
