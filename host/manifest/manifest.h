// A workflow manifest as plain data, after reading and before validation against plugins.
// The format is documented in workflows/FORMAT.md.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "manifest/diagnostic.h"
#include "manifest/workflow_param.h"
#include "util/clock.h"

namespace flowweaver {

using Json = nlohmann::json;

namespace expr {
struct Expr;
}

enum class Backoff { kFixed, kExponential };

// Where a task's calls run: in the host (fast), or in a child process of their own that a
// crashing plugin cannot take the host down from (isolation/process_runner.h).
enum class Isolation { kInProcess, kProcess };

// When a task whose upstream tasks have settled runs (workflows/FORMAT.md, "Trigger rules";
// the decision itself: exec/trigger_rule.h).
enum class TriggerRule { kAllSuccess, kAllDone, kAllFailed, kOneSuccess, kOneFailed, kNoneFailed };

// A task of the DAG, or a handler that runs once the DAG has ended: `on_failure` when the run
// failed, `on_exit` always. Handlers follow the tasks in Manifest::tasks.
enum class TaskRole { kTask, kOnFailure, kOnExit };

struct RetryPolicy {
  int retries = 0;  // attempts after the first
  Millis retry_delay{1000};
  Backoff backoff = Backoff::kFixed;
  Millis max_retry_delay{5 * 60 * 1000};
};

// Where each value under a `with:` or `params:` map came from, keyed by JSON pointer
// ("/files/0"), so an error about a value can point at its line.
using LocationMap = std::unordered_map<std::string, SourceLocation>;

// A task's `if:` (workflows/FORMAT.md, "Conditions"): parsed when the manifest is read,
// type-checked by the validator, evaluated when the task is ready (exec/task_condition.h).
struct TaskCondition {
  std::string source;       // the expression, as YAML read it
  SourceLocation location;  // of the `if:` value: its first character, or its opening quote
  char quote = 0;           // '\'' or '"' when the value is quoted
  bool single_line =
      true;  // false: columns inside it are not known (manifest/condition_position.h)
  std::shared_ptr<const expr::Expr> expression;  // null when it did not parse
};

// `foreach:` or `matrix:` (workflows/FORMAT.md, "foreach and matrix"): the task runs once per
// item or combination, each a durable row of its own named `task[0]` or `task[os=debian,v=1]`
// (exec/fan_out_items.h). Read by manifest/fan_out_reader, checked there and by the validator.
struct FanOut {
  enum class Kind { kForEach, kMatrix };
  Kind kind = Kind::kForEach;
  SourceLocation location;  // of the `foreach:` or `matrix:` value
  // kForEach: a YAML list, or a string that is exactly one reference (${tasks.T.output.PATH},
  // ${params.NAME}) resolved when the task becomes ready.
  Json items;
  // kMatrix: the axes in the order written, each with its values; `exclude:` combinations (each
  // an object naming some axes) left out.
  std::vector<std::pair<std::string, std::vector<Json>>> axes;
  std::vector<Json> exclude;
  int max_parallel = 0;  // `max_parallel:`; 0: no cap on the items running at once
  int batch_size = 0;    // `batch_size:` (foreach only); 0: each call gets one item
};

struct TaskSpec {
  std::string name;
  SourceLocation location;  // of the task's list item
  std::string uses;         // "plugin.task_type"
  SourceLocation uses_location;
  Json with = Json::object();  // may contain ${...} references, resolved per call
  LocationMap with_locations;
  std::vector<std::string> depends_on;
  std::vector<SourceLocation> depends_on_locations;
  RetryPolicy retry;
  std::optional<Millis> timeout;
  Isolation isolation = Isolation::kInProcess;
  bool isolation_given = false;  // by the task or `defaults:`; else the host's default applies
  std::optional<uint64_t> memory_limit;  // bytes; process isolation only
  TriggerRule trigger_rule = TriggerRule::kAllSuccess;
  SourceLocation trigger_rule_location;
  // A final failure does not fail the run; dependents see it per their trigger rule.
  bool allow_failure = false;
  TaskRole role = TaskRole::kTask;
  // `pool:`; empty: none. At most the pool's slot count of its tasks run at once, across every
  // run of the process (exec/pool_slots.h); waiting ones start by `priority`, higher first.
  std::string pool;
  SourceLocation pool_location;
  int priority = 0;
  // `if:`; none: the task always runs when ready. Behind a pointer: most tasks have none.
  std::shared_ptr<const TaskCondition> condition;
  // `foreach:` or `matrix:`; none: the task is one call. Behind a pointer: most tasks have none.
  std::shared_ptr<const FanOut> fan_out;
};

// A name under `secrets:`; its value is looked up when the manifest is loaded
// (manifest/secret_source.h) and never stored.
struct SecretDecl {
  std::string name;
  SourceLocation location;
};

struct Manifest {
  std::string file;  // as given on the command line
  std::string name;
  SourceLocation name_location;
  std::string description;
  std::optional<int> max_workers;
  std::optional<std::string> schedule;  // a cron expression (cron/cron.h), checked
  SourceLocation schedule_location;
  bool catchup = false;
  // The run-time parameters, in the order written (manifest/workflow_param.h).
  std::vector<WorkflowParam> param_decls;
  // Each parameter's default by name (a parameter without one is absent), as written: a run
  // resolves their references once, when it is created (run_params.h).
  Json params = Json::object();
  LocationMap params_locations;
  std::vector<SecretDecl> secrets;
  // The tasks, then the handlers (`on_failure:`, then `on_exit:`), each with its role.
  std::vector<TaskSpec> tasks;
  // `outputs:` (workflows/FORMAT.md, "Sub-workflows"): name -> template over the tasks' outputs
  // and the params, resolved when a run completes; what a parent's `workflow.run` task returns.
  Json outputs = Json::object();
  LocationMap outputs_locations;
  SourceLocation outputs_location;
  // The whole run's deadline (`timeout:` at the top), measured from the run's start.
  std::optional<Millis> timeout;
  SourceLocation timeout_location;
};

}  // namespace flowweaver
