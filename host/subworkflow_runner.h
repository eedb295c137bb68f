// Runs the attempts of `uses: workflow.run` tasks (workflows/FORMAT.md, "Sub-workflows"): each
// runs the child manifest as a run of its own, in the child workflow's own state (beside the
// parent's: child_state_path()), linked to the parent's run and task (RunRecord::parent).
// Every other task goes to the inner runner.
//
// An attempt resumes the child run linked to its task when that run is unfinished (after a
// failed attempt, or a parent that was stopped or killed), returns its outputs when it
// COMPLETED, and otherwise starts a new one. The child's failure fails the attempt, retryably:
// the task's retries resume the same child run. Cancelling the attempt stops the child: it ends
// CANCELLED when the parent run is being cancelled, else INTERRUPTED (a shutdown, a timeout), so
// that it is resumed.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "engine.h"
#include "exec/in_process_runner.h"
#include "exec/task_runner.h"

namespace flowweaver {

struct Workflow;

// Where the child workflow `child_name` keeps its state when its parent's is at
// `parent_state_path`: beside it, `<child name>` with the parent's extension (a state directory
// under `serve` holds both; `run --state dir/p.db` puts the child in dir/<child>.db).
std::string child_state_path(const std::string& parent_state_path, const std::string& child_name);

// What a child run needs of its parent's.
struct SubworkflowContext {
  const Workflow* parent = nullptr;
  std::string parent_run_id;
  std::shared_ptr<spdlog::logger> log;
  Clock* clock = nullptr;
  // The parent run's: whether a stop of the parent is a cancel or a shutdown.
  const StopSwitch* parent_stop = nullptr;
  // The parent's options: the state path, workers, grace period, task logs and pools carry over.
  ExecuteOptions options;
};

class SubworkflowRunner : public TaskRunner {
 public:
  // `inner` and `resolver` (which resolves the task's `with:`) must outlive the runner.
  SubworkflowRunner(TaskRunner& inner, const InProcessRunner& resolver, SubworkflowContext context);

  // `item` is always null for a workflow.run task: validation refuses foreach/matrix on it.
  AttemptOutcome run(uint32_t task, int attempt, const TaskItem* item, Cancellation& cancellation,
                     const OutputTable& outputs) override;

 private:
  AttemptOutcome run_child(uint32_t task, Cancellation& cancellation, const OutputTable& outputs);
  ExecuteOptions child_options(const Workflow& child, const std::string& state_path,
                               const std::string& task_name, nlohmann::json params) const;

  TaskRunner& inner_;
  const InProcessRunner& resolver_;
  SubworkflowContext context_;
};

}  // namespace flowweaver
