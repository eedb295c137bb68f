// The one place that wires a run together: manifest and plugins, state store, resume decision,
// scheduler, logging, summary.
#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "exec/run_context.h"
#include "exec/run_observer.h"
#include "exec/scheduler.h"
#include "run_params.h"
#include "state/state_store.h"
#include "stop_switch.h"
#include "util/clock.h"

namespace spdlog {
class logger;
}

namespace flowweaver {

// Exit codes of `flowweaver run`, documented in the README.
enum ExitCode : int {
  kExitOk = 0,
  kExitTaskFailed = 1,
  kExitInvalid = 2,    // invalid manifest or usage
  kExitRuntime = 3,    // the run could not go on: state store or environment error
  kExitCancelled = 4,  // the run was cancelled (`flowweaver cancel`); the next run starts anew
  kExitSigint = 130,
  kExitSigterm = 143,
};

struct RunOptions {
  std::string manifest_file;
  std::string state_path;  // empty: default_state_path(workflow name)
  std::optional<int> max_workers;
  bool fresh = false;
  std::vector<std::filesystem::path> plugin_dirs;  // the full search path
  std::string log_file;
  // Root of the per-task logs (task_log/task_log_path.h); empty: none.
  std::filesystem::path log_dir = "var/log";
  std::string log_level = "info";  // debug, info, warn or error
  // A live progress line on stderr (a terminal) instead of the info lines; problems still
  // print, above it.
  bool progress = false;
  Millis grace_period{10000};
  Durability durability = Durability::kNormal;
  // --param NAME=VALUE, as typed, and --param-file ("" for none): run_params.h.
  std::vector<std::string> param_assignments;
  std::string param_file;
  // --pool NAME=N, as typed (pool_declarations.h).
  std::vector<std::string> pool_assignments;
};

struct RunReport {
  int exit_code = kExitOk;
  bool abandoned_calls = false;  // the process must exit without unloading plugins
};

RunReport run_workflow(const RunOptions& options, StopSwitch& stop_switch);

struct Workflow;
class ClusterNode;

// How execute_run runs one workflow; `flowweaver run` and the service fill it differently.
struct ExecuteOptions {
  bool fresh = false;
  // Parameter values given for the run, already checked (check_given_params): a new run takes
  // them over the defaults; a resumed run keeps its own and refuses different ones.
  nlohmann::json given_params = nlohmann::json::object();
  ParamSource params_source = ParamSource::kCommandLine;
  int max_workers = 1;
  Millis grace_period{10000};
  // On a stop request, how long running tasks may go on before they are cancelled (0: at once).
  Millis drain_period{0};
  RunObserver* observer = nullptr;  // told about every task besides the run's log
  // Root of the per-task logs (task_log/task_log_path.h); empty: none.
  std::filesystem::path task_log_root;
  uint64_t task_log_max_bytes = 10 * 1024 * 1024;  // per attempt
  // The state's crash marker (crash_marker_path()); empty: crashes name no task.
  std::string crash_marker;
  // The pools' slots, shared by every run of the process; null: none (exec/pool_slots.h).
  std::shared_ptr<PoolSlots> pools;
  // Where the run's state lives and how it is written: sub-workflows keep theirs beside it
  // (subworkflow_runner.h). Empty: default_state_path() of the workflow.
  std::string state_path;
  Durability durability = Durability::kNormal;
  // Set for a sub-workflow's run: the parent run and task it belongs to. The run linked to them
  // is resumed if unfinished (never the workflow's own latest run), else a new one is created.
  std::optional<RunParent> parent;
  // Called once the run has its id (created or resumed), before any task starts.
  std::function<void(const RunRecord&)> on_opened;
  // Called once the run's last task is done, just before its final status is stored: whoever
  // reads that status may count on this having been called.
  std::function<void()> on_ending;
  // The cluster this host belongs to (a database state under `serve`): the run's tasks are then
  // claimed by any host serving the workflow (cluster/claiming_runner.h), except sub-workflows
  // and handlers, which run here. Null: every task runs here. Not passed on to sub-workflows.
  ClusterNode* cluster = nullptr;
};

struct RunOutcome {
  RunRecord run;  // as finally stored
  SchedulerResult result;
};

// Resumes the workflow's unfinished run in `store`, or creates one, and runs it until it ends or
// `stop_switch` is triggered; the run's final status is stored. Throws Error::State when the store
// fails; everything committed before stays. Throws ParamsRefused (run_params.h), before any task
// runs, when the parameters cannot be resolved or differ from those the resumed run was started
// with.
RunOutcome execute_run(const Workflow& workflow, StateStore& store,
                       std::shared_ptr<spdlog::logger> log, Clock& clock, StopSwitch& stop_switch,
                       const ExecuteOptions& options);

}  // namespace flowweaver
