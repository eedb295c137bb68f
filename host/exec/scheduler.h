// Runs a run's tasks as a DAG on a pool of worker threads: a task starts once every upstream
// task is COMPLETED; failures are retried per policy with persisted due times; a final failure
// skips the task's dependents; timeouts and shutdown cancel running calls and write off any
// that ignore it after a grace period.
//
// Durability rule: no task is called before its RUNNING row (with its attempt number) and the
// COMPLETED of each of its upstream tasks are committed, so that a host that dies during a call
// knows on restart which task was running (exec/host_deaths.h). Tasks starting in the same turn
// share one commit, which also carries the completions staged before them: a chain makes one
// commit per step. Other changes (completions nothing waits for yet, failures, retries) are
// staged and committed in groups, in the background (exec/state_writer.h), when kFlushBatch
// changes are staged or the oldest staged change is kFlushDelay old, and at the end.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <unordered_map>

#include "exec/crash_marker.h"
#include "exec/run_observer.h"
#include "exec/task_runner.h"
#include "exec/worker_pool.h"
#include "graph/dag.h"
#include "manifest/manifest.h"
#include "state/state_store.h"

namespace flowweaver {

class StateWriter;

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
};

struct SchedulerResult {
  RunStatus status = RunStatus::kCompleted;  // COMPLETED, FAILED, INTERRUPTED, CANCELLED
  std::vector<TaskRecord> tasks;             // final state, manifest order
  bool abandoned_calls = false;  // a call ignored cancellation and still runs on some thread
};

class Scheduler {
 public:
  Scheduler(const Manifest& manifest, const Dag& dag, TaskRunner& runner, StateStore& store,
            Clock& clock, RunObserver& observer, SchedulerOptions options);
  ~Scheduler();

  // Runs `run_id` from `initial` (one record per manifest task, in manifest order) until every
  // task is COMPLETED, FAILED or SKIPPED, or until a stop request has been honoured. Throws
  // Error::State if the store fails; what was committed before stays.
  SchedulerResult run(const std::string& run_id, std::vector<TaskRecord> initial);

  // Start nothing new, let what runs go on for the drain period (none for a cancel, which also
  // cuts short a drain under way), then cancel it and give it the grace period; persist, return.
  // Thread-safe; callable from a signal-handling thread.
  void request_stop(StopReason reason = StopReason::kShutdown);

 private:
  struct Running {
    uint64_t token = 0;
    std::shared_ptr<Cancellation> cancellation;
    TimePoint started;
    std::optional<TimePoint> deadline;    // timeout
    std::optional<TimePoint> abandon_at;  // once cancelled
    bool timed_out = false;
    bool stopped = false;  // cancelled by a stop request
  };
  struct Event {
    uint32_t task;
    uint64_t token;
    AttemptOutcome outcome;
    std::chrono::microseconds ran_for{0};  // the call itself, measured by the worker
  };
  struct Shared;  // what worker threads share with the scheduler

  bool stop_requested() const;
  bool cancel_requested() const;
  // A stop request this thread has yet to act on: a new one, or a cancel during a drain.
  bool stop_pending() const;
  // How an attempt a stop cut short is described: "cancelled" or "interrupted by shutdown".
  const char* stop_description() const;
  void initialize(std::vector<TaskRecord> initial, TimePoint now);
  void promote_due(TimePoint now);
  void dispatch(TimePoint now, std::vector<uint32_t>* started);
  // Commits the staged changes, after any the writer still has queued; false once the store
  // has failed. `awaited`: a task starting now waits for a completion in them.
  bool flush(bool awaited = true);
  // Hands the staged changes to the writer's thread, for changes no task waits for.
  void flush_in_background();
  void store_failed(const std::string& error);
  bool flush_due(TimePoint now) const;
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
  void complete(uint32_t task, std::string output, AttemptRecord attempt, TimePoint now);
  void fail_attempt(uint32_t task, const std::string& error, bool permanent, AttemptRecord attempt,
                    TimePoint now);
  void interrupt(uint32_t task, const std::string& error, AttemptRecord attempt, TimePoint now);
  void skip_dependents(uint32_t task, TimePoint now);
  void check_deadlines(TimePoint now);
  void abandon(uint32_t task, bool interrupted, TimePoint now);
  void begin_stop(TimePoint now);
  void cancel_running(TimePoint now);
  // `gated`: made ready by a completion not yet committed (see flush).
  void make_ready(uint32_t task, bool gated = false);
  // A task the previous process left RUNNING (host_deaths.h): staged PENDING to run again, or
  // FAILED (true; its dependents are still to skip).
  bool recover_left_running(uint32_t task, TimePoint now);
  AttemptRecord attempt_record(uint32_t task, const Running& running, TimePoint now) const;
  void stage(uint32_t task, std::optional<AttemptRecord> attempt = std::nullopt);
  std::string timeout_message(uint32_t task) const;

  const Manifest& manifest_;
  const Dag& dag_;
  TaskRunner& runner_;
  StateStore& store_;
  Clock& clock_;
  RunObserver& observer_;
  SchedulerOptions options_;
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<StateWriter> writer_;
  std::unique_ptr<WorkerPool> pool_;

  std::string run_id_;
  std::vector<TaskRecord> records_;
  std::vector<uint32_t> remaining_upstream_;
  std::vector<int> attempts_this_run_;
  std::unordered_map<uint32_t, Running> running_;
  std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<>> ready_;
  using Due = std::pair<TimePoint, uint32_t>;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> delayed_;
  static constexpr size_t kQueuedPerWorker = 256;
  static constexpr double kQuickCallMicros = 1000;
  static constexpr std::chrono::microseconds kBriefSpin{10};
  double mean_call_us_ = 0;  // moving average of recent call durations
  uint64_t calls_seen_ = 0;
  bool quick_tasks_ = false;
  static constexpr size_t kFlushBatch = 4096;
  static constexpr Millis kFlushDelay{10};
  std::vector<TaskUpdate> pending_writes_;
  std::optional<TimePoint> oldest_pending_;  // when the oldest staged change was staged
  std::vector<char> gated_;                  // per task: see make_ready
  std::vector<uint32_t> gated_list_;
  bool gated_start_ = false;  // a task dispatched since the last flush was gated
  // Per task name, the run's attempts its host crashed in; read when first needed.
  std::optional<std::unordered_map<std::string, int>> host_crashes_;
  std::vector<CrashRecord> crash_records_;  // the crash marker's, read with host_crashes_
  uint64_t next_token_ = 1;
  bool stopping_ = false;
  std::optional<TimePoint> stop_deadline_;
  std::optional<TimePoint> drain_deadline_;
  bool abandoned_ = false;
  std::string store_error_;
};

}  // namespace flowweaver
