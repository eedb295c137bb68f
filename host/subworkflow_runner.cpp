#include "subworkflow_runner.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <sstream>
#include <thread>

#include "exec/crash_marker.h"
#include "manifest/subworkflow_validation.h"
#include "manifest/workflow_outputs.h"
#include "run_params.h"
#include "state/state_location.h"
#include "state/writer_lock.h"
#include "workflow.h"

namespace flowweaver {
namespace fs = std::filesystem;

namespace {

using Kind = AttemptOutcome::Kind;

// How often an attempt looks whether it was cancelled while its child runs; also how long its
// end may wait for the watcher to notice.
constexpr Millis kCancelPoll{20};

// The child run's outputs, from its stored task rows.
Json outputs_of(const Workflow& child, const RunRecord& run, const std::vector<TaskRecord>& tasks) {
  std::map<std::string, Json> parsed;
  for (const TaskRecord& t : tasks) {
    if (t.status != TaskStatus::kCompleted) continue;
    parsed[t.task_name] = t.result.empty() ? Json(nullptr) : Json::parse(t.result, nullptr, false);
  }
  return resolve_workflow_outputs(child.manifest, run.params.value_or(Json::object()),
                                  [&](const std::string& name) -> const Json* {
                                    auto it = parsed.find(name);
                                    return it == parsed.end() ? nullptr : &it->second;
                                  });
}

std::string failed_tasks(const std::vector<TaskRecord>& tasks) {
  std::string out;
  for (const TaskRecord& t : tasks) {
    if (t.status != TaskStatus::kFailed) continue;
    out += (out.empty() ? "" : "; ") + t.task_name + ": " + t.error;
  }
  return out;
}

// Stops the child run when the attempt is cancelled, until destroyed; meanwhile takes the cancel
// requests `flowweaver cancel` leaves beside the child's state for the child run itself (this
// process holds that state: the requests come here, not to the parent's).
class CancelForwarder {
 public:
  CancelForwarder(Cancellation& cancellation, const StopSwitch* parent, StopSwitch& child)
      : thread_([this, &cancellation, parent, &child] {
          while (!done_.load()) {
            if (cancellation.wait_for(kCancelPoll)) {
              forward(parent, child);
              return;
            }
            child.take_cancel_request();
          }
        }) {}
  ~CancelForwarder() {
    done_.store(true);
    thread_.join();
  }
  CancelForwarder(const CancelForwarder&) = delete;
  CancelForwarder& operator=(const CancelForwarder&) = delete;

 private:
  static void forward(const StopSwitch* parent, StopSwitch& child) {
    if (parent && parent->cancelled()) {
      child.cancel();
      return;
    }
    int signal = parent ? parent->signal() : 0;
    child.trigger(signal != 0 ? signal : SIGTERM);  // resumable
  }

  std::atomic<bool> done_{false};
  std::thread thread_;
};

// A child task naming a pool the process has not declared: the scheduler cannot run it (the
// parent's own pools were checked before its run started; the child's only now).
std::optional<std::string> undeclared_pool(const Workflow& child, const PoolSlots* pools) {
  for (const TaskSpec& task : child.manifest.tasks) {
    if (task.pool.empty() || (pools && pools->has_pool(task.pool))) continue;
    return "sub-workflow '" + child.manifest.name + "': task '" + task.name + "' names pool '" +
           task.pool + "', which is not declared (give it slots with --pool " + task.pool +
           "=N, or in the service's `pools:`)";
  }
  return std::nullopt;
}

AttemptOutcome completed(const Workflow& child, const RunRecord& run, StateStore& store) {
  try {
    return {Kind::kOk, outputs_of(child, run, store.load_tasks(run.run_id)).dump(), ""};
  } catch (const std::exception& e) {
    return {Kind::kPermanent, "",
            "sub-workflow run " + run.run_id + " of '" + child.manifest.name +
                "' completed, but its " + e.what()};
  }
}

AttemptOutcome ended(const Workflow& child, const RunOutcome& outcome, StateStore& store) {
  const RunRecord& run = outcome.run;
  std::string which = "sub-workflow run " + run.run_id + " of '" + child.manifest.name + "'";
  switch (outcome.result.status) {
    case RunStatus::kCompleted:
      return completed(child, run, store);
    case RunStatus::kCancelled:
      return {Kind::kPermanent, "", which + " was cancelled"};
    case RunStatus::kInterrupted:
      return {Kind::kRetryable, "", which + " was interrupted; the next attempt resumes it"};
    default:
      return {Kind::kRetryable, "",
              which + " failed (" + failed_tasks(outcome.result.tasks) +
                  "); a retry or a resume of this run resumes it"};
  }
}

}  // namespace

std::string child_state_path(const std::string& parent_state_path, const std::string& child_name) {
  return sibling_state(parent_state_path, child_name);
}

SubworkflowRunner::SubworkflowRunner(TaskRunner& inner, const InProcessRunner& resolver,
                                     SubworkflowContext context)
    : inner_(inner), resolver_(resolver), context_(std::move(context)) {}

AttemptOutcome SubworkflowRunner::run(uint32_t task, int attempt, const TaskItem* item,
                                      Cancellation& cancellation, const OutputTable& outputs) {
  if (!runs_subworkflow(context_.parent->manifest.tasks[task])) {
    return inner_.run(task, attempt, item, cancellation, outputs);
  }
  if (item) return {Kind::kPermanent, "", "workflow.run does not take foreach or matrix items"};
  try {
    return run_child(task, cancellation, outputs);
  } catch (const ParamsRefused& e) {
    return {Kind::kPermanent, "", std::string("sub-workflow params refused: ") + e.what()};
  } catch (const std::exception& e) {  // the child's state: in use, or failing
    return {Kind::kRetryable, "", std::string("sub-workflow: ") + e.what()};
  }
}

ExecuteOptions SubworkflowRunner::child_options(const Workflow& child,
                                                const std::string& state_path,
                                                const std::string& task_name,
                                                nlohmann::json params) const {
  const ExecuteOptions& parent = context_.options;
  ExecuteOptions options;
  options.given_params = std::move(params);
  options.params_source = ParamSource::kApi;
  options.max_workers = child.manifest.max_workers.value_or(parent.max_workers);
  options.grace_period = parent.grace_period;
  // Its stop comes once the parent's drain is over (or on a cancel): it stops at once.
  options.drain_period = Millis(0);
  options.task_log_root = parent.task_log_root;
  options.task_log_max_bytes = parent.task_log_max_bytes;
  options.crash_marker = parent.crash_marker.empty() ? "" : crash_marker_path(state_path);
  options.pools = parent.pools;
  options.state_path = state_path;
  options.durability = parent.durability;
  options.parent = RunParent{context_.parent_run_id, task_name, context_.parent->manifest.name};
  return options;
}

AttemptOutcome SubworkflowRunner::run_child(uint32_t task, Cancellation& cancellation,
                                            const OutputTable& outputs) {
  const Workflow& parent = *context_.parent;
  const TaskSpec& spec = parent.manifest.tasks[task];
  Json with;
  try {
    with = resolver_.resolve_params(task, nullptr, outputs);
  } catch (const std::exception& e) {
    return {Kind::kPermanent, "", e.what()};
  }
  std::string file = subworkflow_file(parent.manifest.file, spec)->string();
  DiagnosticList problems(file);
  std::optional<Workflow> child = load_workflow(file, parent.plugins, process_env, &problems);
  if (!child) {
    return {Kind::kPermanent, "",
            "sub-workflow " + file + " does not load:\n" + problems.to_string()};
  }
  if (child->manifest.name == parent.manifest.name) {  // edited since the parent was validated
    return {Kind::kPermanent, "",
            "sub-workflow " + file + " is named '" + parent.manifest.name +
                "' like its parent, whose state file it would share: rename one"};
  }
  if (std::optional<std::string> problem = undeclared_pool(*child, context_.options.pools.get())) {
    return {Kind::kPermanent, "", *problem};
  }
  Json given = with.contains("params") ? with["params"] : Json::object();
  check_given_params(child->manifest, given, ParamSource::kApi);
  std::string parent_state = context_.options.state_path.empty()
                                 ? default_state_path(parent.manifest.name)
                                 : context_.options.state_path;
  std::string state_path = child_state_path(parent_state, child->manifest.name);
  std::unique_ptr<StateStore> store = open_state_store(state_path, context_.options.durability);
  std::optional<RunRecord> linked = store->find_child_run(context_.parent_run_id, spec.name);
  if (linked && linked->status == RunStatus::kCompleted) {
    context_.log->info("task '{}': sub-workflow run {} of {} already completed", spec.name,
                       linked->run_id, child->manifest.name);
    return completed(*child, *linked, *store);
  }
  StopSwitch child_stop;
  child_stop.watch_cancel_requests(state_path);
  ExecuteOptions options = child_options(*child, state_path, spec.name, std::move(given));
  std::optional<RunOutcome> outcome;
  {
    CancelForwarder forwarder(cancellation, context_.parent_stop, child_stop);
    outcome = execute_run(*child, *store, context_.log, *context_.clock, child_stop, options);
  }
  return ended(*child, *outcome, *store);
}

}  // namespace flowweaver
