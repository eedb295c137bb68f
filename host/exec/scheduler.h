// Runs a run's tasks as a DAG on a pool of worker threads. A task starts once its trigger rule
// says so (exec/trigger_rule.h; by default: every upstream task COMPLETED) and its condition
// holds; failures are retried per policy with persisted due times; a final failure settles the
// task, and its dependents' rules decide whether they run or are skipped. Timeouts and stops
// cancel running calls and write off any that ignore it after a grace period. Once the DAG's
// tasks have ended (or been stopped), the handlers whose role fits the outcome run, the same
// way; the run's deadline, when it passes, fails what is unfinished and leaves only them.
//
// The files: scheduler.cpp (the loop, dispatch, events), scheduler_transitions.cpp (what happens
// to a task as attempts end and upstream tasks settle), scheduler_stops.cpp (timeouts, stops,
// the run's deadline), scheduler_handlers.cpp (the handler phase), scheduler_pools.cpp (a task
// with a `pool:` starts once it holds a slot, shared with other runs); the rules they apply are
// pure functions elsewhere (trigger_rule.h, run_outcome.h, retry_policy.h, host_deaths.h).
//
// Durability rule: no task is called before its RUNNING row (with its attempt number) and the
// COMPLETED of each of its upstream tasks are committed, so that a host that dies during a call
// knows on restart which task was running (exec/host_deaths.h). Tasks starting in the same turn
// share one commit, which also carries the completions staged before them: a chain makes one
// commit per step. Other changes (completions nothing waits for yet, failures, retries) are
// staged and committed in groups, in the background (exec/commit_gate.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <unordered_map>

#include "exec/commit_gate.h"
#include "exec/condition_check.h"
#include "exec/crash_marker.h"
#include "exec/pool_slots.h"
#include "exec/run_observer.h"
#include "exec/run_outcome.h"
#include "exec/task_runner.h"
#include "exec/upstream_tracker.h"
#include "exec/worker_pool.h"
#include "graph/dag.h"
#include "manifest/manifest.h"
#include "state/state_store.h"

namespace flowweaver {

// Why a run is asked to stop. A shutdown (SIGINT, SIGTERM, the service stopping) lets running
// tasks drain and leaves the run INTERRUPTED, to be resumed; a cancel cancels them at once and
// ends the run CANCELLED, which nothing resumes.
enum class StopReason { kShutdown, kCancel };

struct SchedulerOptions {
  int max_workers = 1;
  // How long a cancelled call (timeout or shutdown) may take to return before it is abandoned.
  Millis grace_period{10000};
  // On a stop request, how long running tasks may go on before they are cancelled (0: at once).
  Millis drain_period{0};
  // The state's crash marker (exec/crash_marker.h); empty: none.
  std::string crash_marker;
  // Uniform in [0, 1): the jitter of retry delays. Tests make it constant.
  std::function<double()> random_unit;
  // Asked when a task's trigger rule lets it run; empty: every task runs.
  ConditionCheck condition;
  // When the run started (stored with it): the manifest's `timeout` counts from here, across
  // resumes. Empty: from the start of this call to run().
  std::optional<TimePoint> run_started;
  // Called once the DAG's tasks have ended, before any handler starts: what ${run.status} and
  // ${run.failed_tasks} tell the handlers.
  std::function<void(RunStatus dag_status, const std::vector<std::string>& failed_tasks)>
      on_handlers_start;
  // The calls of foreach or matrix task `task`, listed when it is ready to start (without
  // their task and slot, which the scheduler sets); throws std::runtime_error saying why they
  // cannot be (a `foreach:` reference that holds no list): that fails the task. Empty: no
  // task of the manifest may have a fan-out.
  std::function<std::vector<TaskItem>(uint32_t task, const OutputTable& outputs)> list_items;
  // The pools' slots, shared with every other run of the process (exec/pool_slots.h); it must
  // declare each pool the manifest's tasks name. Null: no pools (none may be named).
  std::shared_ptr<PoolSlots> pools;
};

struct SchedulerResult {
  RunStatus status = RunStatus::kCompleted;  // COMPLETED, FAILED, INTERRUPTED, CANCELLED
  std::vector<TaskRecord> tasks;             // final state, manifest order (no items)
  bool abandoned_calls = false;  // a call ignored cancellation and still runs on some thread
};

class Scheduler {
 public:
  Scheduler(const Manifest& manifest, const Dag& dag, TaskRunner& runner, StateStore& store,
            Clock& clock, RunObserver& observer, SchedulerOptions options);
  ~Scheduler();

  // Runs `run_id` from `initial` (one record per manifest task, in manifest order) until every
  // task is COMPLETED, FAILED or SKIPPED, or until a stop request has been honoured, then the
  // handlers that fit. Throws Error::State if the store fails; what was committed before stays.
  SchedulerResult run(const std::string& run_id, std::vector<TaskRecord> initial);

  // Start nothing new, let what runs go on for the drain period (none for a cancel, which also
  // cuts short a drain under way), then cancel it and give it the grace period; then run the
  // on_exit handlers, which a stop requested while they run stops the same way; persist,
  // return. Thread-safe; callable from a signal-handling thread.
  void request_stop(StopReason reason = StopReason::kShutdown);

 private:
  struct Running {
    uint64_t token = 0;
    std::shared_ptr<Cancellation> cancellation;
    TimePoint started;
    std::optional<TimePoint> deadline;    // timeout
    std::optional<TimePoint> abandon_at;  // once cancelled
    bool timed_out = false;
    bool stopped = false;        // cancelled by a stop request
    bool run_timed_out = false;  // cancelled because the run's deadline passed
  };
  struct Event {
    uint32_t task;
    uint64_t token;
    AttemptOutcome outcome;
    std::chrono::microseconds ran_for{0};  // the call itself, measured by the worker
  };
  struct Shared;  // what worker threads share with the scheduler

  // --- scheduler.cpp: the loop
  bool cancel_requested() const;
  // A stop request this thread has yet to act on: a new one, or a cancel during a drain.
  bool stop_pending() const;
  // How an attempt a stop cut short is described: "cancelled" or "interrupted by shutdown".
  const char* stop_description() const;
  void initialize(std::vector<TaskRecord> initial, TimePoint now);
  // The rows of items an earlier process left, if the manifest has a foreach or matrix task.
  void load_earlier_items();
  // Every DAG task ended, and the DAG's status was COMPLETED.
  bool dag_ended_well() const;
  // Makes `task` ready to run again in this process; true if it is FAILED instead (it crashed
  // the host too often: recover_left_running), and still to settle.
  bool reopen(uint32_t task, TimePoint now);
  // Settles what is COMPLETED and readies what may start.
  void start_dag(const std::vector<uint32_t>& crashed_the_host, TimePoint now);
  void promote_due(TimePoint now);
  void dispatch(TimePoint now, std::vector<uint32_t>* started);
  // Commits the staged changes (exec/commit_gate.h); false once the store has failed.
  // `awaited`: a task starting now waits for a completion in them.
  bool flush(bool awaited = true);
  void store_failed(const std::string& error);
  void submit(const std::vector<uint32_t>& started);
  // How many tasks may be handed to workers at once: max_workers, plus a queue per worker while
  // calls are quick, so a worker goes from one quick task to the next without a round trip
  // through this thread. Queued tasks are already RUNNING in the state. The queue is deep because
  // the tasks a turn starts wait for a commit (see the durability rule): the deeper it is, the
  // more quick tasks share one (docs/BENCHMARKS.md, run 14).
  size_t dispatch_limit() const;
  void note_call_duration(std::chrono::microseconds ran_for);
  void wait_and_handle_events();
  TimePoint next_deadline() const;
  void on_completion(Event& event, TimePoint now);
  AttemptRecord attempt_record(uint32_t task, const Running& running, TimePoint now) const;
  void stage(uint32_t task, std::optional<AttemptRecord> attempt = std::nullopt);

  // --- scheduler_transitions.cpp: a task's life
  void complete(uint32_t task, std::string output, AttemptRecord attempt, TimePoint now);
  // `retry_after`: the least wait the task asked for before its next attempt, if any.
  void fail_attempt(uint32_t task, const std::string& error, bool permanent, AttemptRecord attempt,
                    TimePoint now, std::optional<Millis> retry_after = std::nullopt);
  // FAILED for good; returns how its dependents see it (the caller settles it).
  UpstreamOutcome fail(uint32_t task, const std::string& error,
                       std::optional<AttemptRecord> attempt, TimePoint now);
  // How dependents see `task` FAILED for good: an allowed failure if it may fail.
  UpstreamOutcome failed_outcome(uint32_t task) const;
  void interrupt(uint32_t task, const std::string& error, AttemptRecord attempt, TimePoint now);
  void skip(uint32_t task, const std::string& reason, TimePoint now);
  // `task` has ended as `outcome`: its dependents whose rule now decides run or are skipped, and
  // so on down (a queue, not recursion: a skipped chain may be long).
  void settle(uint32_t task, UpstreamOutcome outcome, TimePoint now);
  // `decision` (not kWait) for `task`; appends what it settles to `settled`.
  void apply_decision(uint32_t task, TriggerDecision decision, bool gated, TimePoint now,
                      std::vector<std::pair<uint32_t, UpstreamOutcome>>* settled);
  // The rule says run: the condition has its say, then the task waits for a worker. Returns the
  // outcome if the condition settled the task instead.
  std::optional<UpstreamOutcome> start_if_condition_holds(uint32_t task, bool gated, TimePoint now);
  // `gated`: made ready by a completion not yet committed (exec/commit_gate.h).
  void make_ready(uint32_t task, bool gated = false);
  // A task the previous process left RUNNING (host_deaths.h): staged PENDING to run again, or
  // FAILED (true; it is still to settle).
  bool recover_left_running(uint32_t task, TimePoint now);
  std::string skip_reason(uint32_t task, TriggerDecision decision) const;
  // Reads, once, the run's attempts its host crashed in and the crash marker.
  void load_host_deaths();

  // --- scheduler_pools.cpp: a task with a `pool:` starts once it holds one of its slots
  // Whether ready `task` may start now: it has no pool, or holds a slot (asked for here). A
  // task that has to wait leaves the ready queue until the slot is granted.
  bool holds_pool_slot(uint32_t task);
  // Waiting tasks whose slot has been granted go back to the ready queue.
  void ready_granted_tasks();
  // The attempt of `task` has ended (or never started): its slot goes to the next waiter.
  void release_pool_slot(uint32_t task);
  // A stop, the run's deadline, the DAG's end: waits are withdrawn, slots not yet in use freed.
  void withdraw_pool_waits();
  bool pool_news() const;

  // --- scheduler_items.cpp: foreach and matrix tasks. Their items are slots after the
  // manifest's tasks, with records, attempts and retries of their own; they never settle
  // dependents: the task does, once every item has ended.
  struct ItemGroup {
    uint32_t first = 0;  // the first item's slot; the others follow it
    uint32_t count = 0;
    uint32_t active = 0;  // released, not ended
    uint32_t ended = 0;
    uint32_t failed = 0;
    std::string first_failure;
    std::vector<uint32_t> unreleased;  // slots, the next one last
    TimePoint started;
  };
  bool is_item(uint32_t slot) const { return slot >= manifest_.tasks.size(); }
  // The manifest task of a task's or an item's slot.
  uint32_t task_of(uint32_t slot) const {
    return is_item(slot) ? items_[slot - manifest_.tasks.size()]->task : slot;
  }
  const TaskSpec& spec(uint32_t slot) const { return manifest_.tasks[task_of(slot)]; }
  bool has_items(uint32_t slot) const { return !is_item(slot) && manifest_.tasks[slot].fan_out; }
  // Ready `task` has a fan-out: its items are listed and given slots and rows (those an earlier
  // process left are taken up: a completed item is not run again), and the first are released.
  void start_items(uint32_t task, TimePoint now);
  // Appends `item`'s record: the row an earlier process left for it, reopened as a task's row is
  // when its run resumes (a completed item stays, one left RUNNING is judged), or a new one.
  void add_item_record(const TaskItem& item, TimePoint now);
  // Makes the next items of `task` ready, up to its max_parallel.
  void release_items(uint32_t task);
  // Item `slot` has ended as `outcome`: the last to end ends its task.
  void item_settled(uint32_t slot, UpstreamOutcome outcome, TimePoint now);
  void finish_items(uint32_t task, TimePoint now);
  // At the end of the run (after a stop): fan-out tasks whose items did not all end go back to
  // PENDING.
  void park_unfinished_items(TimePoint now);

  // --- scheduler_stops.cpp: timeouts, stops and the run's deadline
  void check_deadlines(TimePoint now);
  void abandon(uint32_t task, TimePoint now);
  void begin_stop(TimePoint now);
  void cancel_running(TimePoint now);
  // The run's deadline passed: running DAG tasks are cancelled, unfinished ones FAILED.
  void expire_run(TimePoint now);
  std::string timeout_message(uint32_t task) const;
  std::string run_timeout_message() const;

  // --- scheduler_handlers.cpp: the handler phase
  // The DAG has ended, or the handlers released so far have: releases the next list of
  // handlers that has one to run (on_failure, then on_exit); false when none is left.
  bool begin_handlers(TimePoint now);
  // Settles the handlers of `role` that do not fit the DAG's outcome, readies the rest; false
  // if none is to run.
  bool release_handlers(TaskRole role, TimePoint now);
  bool is_handler(uint32_t slot) const { return spec(slot).role != TaskRole::kTask; }
  DagStop stop_kind() const;

  const Manifest& manifest_;
  const Dag& dag_;
  TaskRunner& runner_;
  StateStore& store_;
  Clock& clock_;
  RunObserver& observer_;
  SchedulerOptions options_;
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<CommitGate> gate_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<UpstreamTracker> tracker_;

  std::string run_id_;
  std::vector<TaskRecord> records_;
  std::vector<int> attempts_this_run_;
  std::unordered_map<uint32_t, Running> running_;
  std::vector<std::shared_ptr<TaskItem>> items_;    // by slot - the manifest's task count
  std::unordered_map<uint32_t, ItemGroup> groups_;  // by fan-out task
  // Item rows an earlier process left, by name, read at the start when a task has a fan-out.
  std::unordered_map<std::string, TaskRecord> earlier_items_;
  std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<>> ready_;
  using Due = std::pair<TimePoint, uint32_t>;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> delayed_;
  // Tickets of tasks that hold or wait for a pool slot; waiting ones are also in pool_waiting_.
  std::unordered_map<uint32_t, PoolSlots::Ticket> pool_tickets_;
  std::vector<uint32_t> pool_waiting_;
  static constexpr size_t kQueuedPerWorker = 256;
  static constexpr double kQuickCallMicros = 1000;
  static constexpr std::chrono::microseconds kBriefSpin{10};
  double mean_call_us_ = 0;  // moving average of recent call durations
  uint64_t calls_seen_ = 0;
  bool quick_tasks_ = false;
  // Per task name, the run's attempts its host crashed in; read when first needed.
  std::optional<std::unordered_map<std::string, int>> host_crashes_;
  std::vector<CrashRecord> crash_records_;  // the crash marker's, read with host_crashes_
  uint64_t next_token_ = 1;
  uint64_t stops_acted_on_ = 0;  // stop requests this thread has acted on (Shared::stop_requests)
  bool stopping_ = false;
  std::optional<TimePoint> run_deadline_;
  bool run_expired_ = false;
  // Set when the handler phase begins: the DAG's status, and whether its stop was a cancel.
  std::optional<RunStatus> dag_status_;
  TaskRole next_handlers_ = TaskRole::kOnFailure;  // kTask: none left
  std::optional<TimePoint> stop_deadline_;
  std::optional<TimePoint> drain_deadline_;
  bool abandoned_ = false;
  std::string store_error_;
};

}  // namespace flowweaver
