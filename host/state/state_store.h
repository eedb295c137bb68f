// Durable run state behind an interface, so the scheduler knows nothing of SQLite and other
// backends (a JSON file today, PostgreSQL later) can be swapped in. The SQLite layout is
// described in SCHEMA.md beside this file.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/clock.h"

namespace flowweaver {

// Stored as text; the spelling of each value never changes meaning. kInterrupted is an attempt's
// status only: the host process died while the attempt ran (not the task's fault).
enum class TaskStatus { kPending, kRunning, kCompleted, kFailed, kSkipped, kInterrupted };
enum class RunStatus { kPending, kRunning, kCompleted, kFailed, kInterrupted, kCancelled };

// COMPLETED and CANCELLED: the run is over for good. `run` starts a new run rather than resume
// it (until `reset` reopens it), and it cannot be cancelled. A FAILED run, by contrast, is
// resumed by the next `run`, and may be cancelled so that it is not.
bool is_closed(RunStatus status);

const char* to_string(TaskStatus status);
const char* to_string(RunStatus status);
std::optional<TaskStatus> parse_task_status(std::string_view text);
std::optional<RunStatus> parse_run_status(std::string_view text);

// The run and task of a parent workflow whose `uses: workflow.run` task started a run (a child
// run, workflows/FORMAT.md "Sub-workflows"). The child's state is its own workflow's.
struct RunParent {
  std::string run_id;
  std::string task;
  std::string workflow;
  bool operator==(const RunParent&) const = default;
};

struct RunRecord {
  std::string run_id;
  std::string workflow;
  RunStatus status = RunStatus::kRunning;
  TimePoint started_at;
  std::optional<TimePoint> finished_at;
  std::string manifest_hash;
  // The run's parameters, resolved when it was created (run_params.h); nothing for a run stored
  // before parameters were (its resume resolves them once more, and stores them).
  std::optional<nlohmann::json> params = std::nullopt;
  // Set, for good, when a parent workflow's task created the run; nothing for a run of its own.
  std::optional<RunParent> parent = std::nullopt;
};

// One row per task per run: its latest state.
struct TaskRecord {
  std::string task_name;
  int position = 0;  // index in the manifest, for listing in order
  TaskStatus status = TaskStatus::kPending;
  int attempt = 0;      // attempts made in this run so far
  std::string result;   // output JSON text once COMPLETED
  std::string error;    // last error; for SKIPPED, the failed upstream
  TimePoint timestamp;  // when the status last changed
  std::optional<TimePoint> started_at, finished_at;
  std::optional<TimePoint> next_attempt_at;  // a pending retry's due time
};

// One finished attempt (COMPLETED, FAILED, or INTERRUPTED when the host died during it).
struct AttemptRecord {
  std::string task_name;
  int attempt = 0;
  TaskStatus status = TaskStatus::kFailed;
  std::string error;
  TimePoint started_at, finished_at;
};

// A new state for one task, and the attempt it closes, if any.
struct TaskUpdate {
  TaskRecord task;
  std::optional<AttemptRecord> attempt;
};

// One run as a state holds it: the run's record, its task rows and its finished attempts.
struct StoredRun {
  RunRecord run;
  std::vector<TaskRecord> tasks;
  std::vector<AttemptRecord> attempts;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // The most recently created run of `workflow`, if any.
  virtual std::optional<RunRecord> latest_run(const std::string& workflow) = 0;
  virtual std::optional<RunRecord> find_run(const std::string& run_id) = 0;
  // Newest first; `workflow` empty means every workflow.
  virtual std::vector<RunRecord> list_runs(const std::string& workflow, size_t limit) = 0;

  // Creates `run` and one row per task, all in one transaction.
  virtual void create_run(const RunRecord& run, const std::vector<TaskRecord>& tasks) = 0;
  virtual void update_run(const RunRecord& run) = 0;

  // The newest run a parent's task created (RunRecord::parent), if any. This default reads every
  // run; a store with an index does better.
  virtual std::optional<RunRecord> find_child_run(const std::string& parent_run_id,
                                                  const std::string& parent_task);

  // The run's task rows, in manifest order. Rows deleted by an operator are simply absent.
  virtual std::vector<TaskRecord> load_tasks(const std::string& run_id) = 0;
  virtual std::vector<AttemptRecord> load_attempts(const std::string& run_id) = 0;

  // Writes every update in one transaction. When it returns, all of them survive a kill -9 of
  // the process; if it throws, none of them was applied.
  virtual void apply(const std::string& run_id, const std::vector<TaskUpdate>& updates) = 0;
  // As apply(), for a commit a task waits for: it may start only once this is durable. A store
  // may then hold back the attempt of an update that completes its task, when the task's row
  // holds the same facts, and write it with a later commit (at the latest with the next
  // update_run()); if its process dies first, the store restores it from the task row the next
  // time it is opened for writing. The commit a chain makes per step then writes a row less.
  virtual void apply_awaited(const std::string& run_id, const std::vector<TaskUpdate>& updates) {
    apply(run_id, updates);
  }

  // Writes each of `runs` (none of them in the store yet) exactly as given: ids, statuses, times,
  // parents, task rows and attempts (for `flowweaver migrate-state`). One transaction: when it
  // returns, all of them survive a kill -9; if it throws, none of them was written. This default
  // writes run by run (create_run() then apply()), which is all or nothing only per call: a store
  // that can do better overrides it.
  virtual void import_runs(const std::vector<StoredRun>& runs);

  // A description for messages, e.g. the file path.
  virtual std::string describe() const = 0;
};

// The run that `flowweaver run` continues: the workflow's latest run unless it finished
// successfully or was cancelled, or a parent workflow started it (that run is the parent's to
// resume). Nothing when there is none, or when `fresh` asks for a new run.
std::optional<RunRecord> resumable_run(StateStore& store, const std::string& workflow, bool fresh);

enum class Durability {
  kNormal,  // survives a crash of the process (SQLite WAL, synchronous=NORMAL)
  kFull,    // also survives power loss (synchronous=FULL)
};

// Opens (creating if needed) the store at `location` for writing; parse_state_location()
// (state_location.h) chooses its backend. The store holds the state's writer lock (writer_lock.h)
// until it is closed. Throws Error::State when the file exists but cannot be used (the file is left
// as is), or when another process holds the lock (naming its PID).
std::unique_ptr<StateStore> open_state_store(const std::string& location, Durability durability);

enum class Access { kReadOnly, kReadWrite };

// Opens an existing store; throws Error::NotFound when there is none. With kReadOnly (for the
// commands that only look) the file is never created, migrated or changed and no file is left
// beside it; the caller must not write through the store (a SQLite store refuses).
std::unique_ptr<StateStore> open_existing_state_store(const std::string& location,
                                                      Access access = Access::kReadOnly);

// As open_existing_state_store(location, kReadOnly), but nothing, rather than an error, when
// there is no state there yet: a workflow that never ran has no runs. Creates nothing.
std::unique_ptr<StateStore> find_state_store(const std::string& location);

}  // namespace flowweaver
