#include "exec/scheduler.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include "exec/crash_marker.h"
#include "exec/scheduler_shared.h"
#include "util/error.h"

namespace flowweaver {

Scheduler::Scheduler(const Manifest& manifest, const Dag& dag, TaskRunner& runner,
                     StateStore& store, Clock& clock, RunObserver& observer,
                     SchedulerOptions options)
    : manifest_(manifest),
      dag_(dag),
      runner_(runner),
      store_(store),
      clock_(clock),
      observer_(observer),
      options_(std::move(options)),
      shared_(std::make_shared<Shared>()) {
  if (options_.max_workers < 1) options_.max_workers = 1;
  if (!options_.random_unit) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    options_.random_unit = [engine] {
      return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
    };
  }
}

Scheduler::~Scheduler() {
  // run() gives every slot back; this covers a run() left by an exception, as other runs share
  // the table.
  if (options_.pools) {
    for (const auto& [task, ticket] : pool_tickets_) options_.pools->release(ticket);
  }
}

void Scheduler::request_stop(StopReason reason) {
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    if (reason == StopReason::kCancel) {
      shared_->cancel_requested.store(true, std::memory_order_release);
    }
    shared_->stop_requests.fetch_add(1, std::memory_order_acq_rel);
  }
  shared_->cv.notify_all();
}

bool Scheduler::cancel_requested() const {
  return shared_->cancel_requested.load(std::memory_order_acquire);
}

bool Scheduler::stop_pending() const {
  return shared_->stop_requests.load(std::memory_order_acquire) > stops_acted_on_;
}

const char* Scheduler::stop_description() const {
  return cancel_requested() ? "cancelled" : "interrupted by shutdown";
}

SchedulerResult Scheduler::run(const std::string& run_id, std::vector<TaskRecord> initial) {
  run_id_ = run_id;
  gate_ = std::make_unique<CommitGate>(store_, run_id_, manifest_.tasks.size());
  pool_ = std::make_unique<WorkerPool>(options_.max_workers);
  TimePoint start = clock_.now();
  if (manifest_.timeout) run_deadline_ = options_.run_started.value_or(start) + *manifest_.timeout;
  initialize(std::move(initial), start);
  std::vector<uint32_t> started;
  while (true) {
    TimePoint now = clock_.now();
    if (run_deadline_ && now >= *run_deadline_ && !run_expired_ && !dag_status_) expire_run(now);
    promote_due(now);
    ready_granted_tasks();
    started.clear();
    if (stop_pending()) begin_stop(now);  // e.g. a signal during start-up
    if (std::optional<std::string> error = gate_->writer_error()) store_failed(*error);
    if (!stopping_) dispatch(now, &started);
    // No task is called before its RUNNING row, and every upstream's COMPLETED staged before it,
    // are durable: those that start together share the commit.
    if (!started.empty()) flush(gate_->start_awaits());
    if (store_error_.empty()) {
      submit(started);
    } else {
      // The store failed while they were being dispatched: start nothing more.
      for (uint32_t t : started) {
        running_.erase(t);
        release_pool_slot(t);
      }
    }
    if (gate_->due(now)) gate_->commit_in_background();
    bool idle = ready_.empty() && delayed_.empty() && pool_waiting_.empty();
    if (running_.empty() && (stopping_ || idle)) {
      // The DAG (or a list of handlers) has ended or stopped: the next handlers' turn.
      if (store_error_.empty() && begin_handlers(now)) continue;
      break;
    }
    wait_and_handle_events();
  }
  park_unfinished_items(clock_.now());  // after a stop
  flush();
  gate_->close();
  withdraw_pool_waits();
  SchedulerResult result;
  result.abandoned_calls = abandoned_;
  pool_.reset();  // joins idle workers; detaches any stuck in an abandoned call
  if (!store_error_.empty()) throw Error::State(store_error_);
  result.status = final_status(*dag_status_, manifest_, records_, stop_kind());
  records_.resize(manifest_.tasks.size());  // the items' rows are the store's to tell
  result.tasks = std::move(records_);
  return result;
}

void Scheduler::initialize(std::vector<TaskRecord> initial, TimePoint now) {
  size_t n = manifest_.tasks.size();
  records_ = std::move(initial);
  attempts_this_run_.assign(n, 0);
  shared_->outputs.assign(n, std::string());
  std::vector<TriggerRule> rules;
  for (const TaskSpec& t : manifest_.tasks) rules.push_back(t.trigger_rule);
  tracker_ = std::make_unique<UpstreamTracker>(dag_, std::move(rules));
  load_earlier_items();
  // A DAG that ended well in an earlier process (which then died or stopped during the
  // handlers) stays as it is: only the handlers that did not complete run. Otherwise the DAG
  // goes on, and every handler runs again once it ends.
  bool dag_done = dag_ended_well();
  std::vector<uint32_t> crashed_the_host;
  for (uint32_t t = 0; t < n; ++t) {
    bool keep = is_handler(t) ? dag_done && records_[t].status == TaskStatus::kCompleted
                              : dag_done || records_[t].status == TaskStatus::kCompleted;
    if (keep) {
      shared_->outputs[t] = records_[t].result;
    } else if (reopen(t, now)) {
      crashed_the_host.push_back(t);
    }
  }
  if (!dag_done) start_dag(crashed_the_host, now);
  // Once what it told is committed, the marker goes. (Its lines name attempts by number: one
  // left behind by a failure in between never matches a later attempt.)
  if (!crash_records_.empty() && flush()) std::remove(options_.crash_marker.c_str());
}

void Scheduler::load_earlier_items() {
  if (std::none_of(manifest_.tasks.begin(), manifest_.tasks.end(),
                   [](const TaskSpec& t) { return t.fan_out != nullptr; })) {
    return;
  }
  // Read now, before the writer's thread may use the store. An item's name has brackets; a
  // task's may not (manifest/validator.h).
  bool left_running = false;
  for (TaskRecord& r : store_.load_tasks(run_id_)) {
    if (r.task_name.find('[') == std::string::npos) continue;
    left_running |= r.status == TaskStatus::kRunning;
    std::string name = r.task_name;
    earlier_items_.emplace(std::move(name), std::move(r));
  }
  if (left_running) load_host_deaths();
}

bool Scheduler::dag_ended_well() const {
  // Asked as if stopped, dag_status() says INTERRUPTED while a DAG task is unfinished.
  return dag_status(manifest_, records_, DagStop::kShutdown) == RunStatus::kCompleted;
}

bool Scheduler::reopen(uint32_t task, TimePoint now) {
  TaskRecord& r = records_[task];
  if (has_items(task) && r.status == TaskStatus::kRunning) {
    // Its items ran, not the task: they are judged one by one as it lists them again.
    r.status = TaskStatus::kPending;
    r.attempt -= 1;
    r.timestamp = now;
    stage(task);
    return false;
  }
  // A DAG task's retry keeps the due time the previous process gave it.
  if (r.status == TaskStatus::kPending && r.next_attempt_at && !is_handler(task)) return false;
  if (r.status == TaskStatus::kRunning) return recover_left_running(task, now);
  if (r.status != TaskStatus::kPending || r.next_attempt_at) {
    r.status = TaskStatus::kPending;
    r.timestamp = now;
    r.next_attempt_at.reset();
    stage(task);
  }
  return false;
}

void Scheduler::start_dag(const std::vector<uint32_t>& crashed_the_host, TimePoint now) {
  std::vector<UpstreamTracker::Decided> decided;
  for (uint32_t t = 0; t < manifest_.tasks.size(); ++t) {
    if (!is_handler(t) && records_[t].status == TaskStatus::kCompleted) {
      tracker_->settle(t, UpstreamOutcome::kSucceeded, &decided);
    }
  }
  for (uint32_t t = 0; t < manifest_.tasks.size(); ++t) {
    if (!is_handler(t) && dag_.upstream(t).empty()) {
      TriggerDecision d = tracker_->decide(t);
      if (d != TriggerDecision::kWait) decided.push_back({t, d});
    }
  }
  std::vector<std::pair<uint32_t, UpstreamOutcome>> settled;
  for (auto [t, decision] : decided) apply_decision(t, decision, false, now, &settled);
  for (uint32_t t : crashed_the_host) {
    if (is_handler(t)) continue;  // settled when the handlers' turn comes
    settled.push_back({t, failed_outcome(t)});
  }
  for (auto [t, outcome] : settled) settle(t, outcome, now);
}

void Scheduler::promote_due(TimePoint now) {
  while (!delayed_.empty() && delayed_.top().first <= now) {
    make_ready(delayed_.top().second);
    delayed_.pop();
  }
}

void Scheduler::dispatch(TimePoint now, std::vector<uint32_t>* started) {
  while (running_.size() < dispatch_limit() && !ready_.empty()) {
    uint32_t t = ready_.top();
    if (has_items(t)) {
      ready_.pop();
      if (records_[t].status == TaskStatus::kPending) start_items(t, now);
      continue;
    }
    // Only a free worker takes a task with a timeout: its clock starts now.
    if (spec(t).timeout && running_.size() >= static_cast<size_t>(options_.max_workers)) {
      break;
    }
    ready_.pop();
    TaskRecord& r = records_[t];
    if (r.status != TaskStatus::kPending) continue;  // failed meanwhile: the run's deadline
    if (!holds_pool_slot(t)) continue;               // waits for its pool; others go on
    // Its upstream's COMPLETED may be staged, not yet committed: the start's commit is then one
    // it waits for (StateStore::apply_awaited).
    gate_->note_start(t);
    r.status = TaskStatus::kRunning;
    r.attempt += 1;
    r.error.clear();
    r.started_at = now;
    r.finished_at.reset();
    r.next_attempt_at.reset();
    r.timestamp = now;
    ++attempts_this_run_[t];
    Running running;
    running.token = next_token_++;
    running.cancellation = std::make_shared<Cancellation>();
    running.started = now;
    if (spec(t).timeout) running.deadline = now + *spec(t).timeout;
    running_.emplace(t, std::move(running));
    stage(t);
    started->push_back(t);
    observer_.on_task_started(t, r.attempt);
  }
}

bool Scheduler::flush(bool awaited) {
  if (std::optional<std::string> error = gate_->commit(awaited)) store_failed(*error);
  return store_error_.empty();
}

void Scheduler::store_failed(const std::string& error) {
  if (!store_error_.empty()) return;
  store_error_ = error;
  begin_stop(clock_.now());
}

void Scheduler::submit(const std::vector<uint32_t>& started) {
  std::vector<std::function<void()>> jobs;
  jobs.reserve(started.size());
  for (uint32_t t : started) {
    const Running& running = running_.at(t);
    int attempt = records_[t].attempt;
    // Shared: a call abandoned on its thread may still log as its item after run() returned.
    std::shared_ptr<const TaskItem> item =
        is_item(t) ? items_[t - manifest_.tasks.size()] : nullptr;
    uint32_t task = task_of(t);
    jobs.push_back([this, shared = shared_, t, task, item, token = running.token, attempt,
                    cancellation = running.cancellation] {
      auto begin = std::chrono::steady_clock::now();
      // A queued call that a stop withdrew, or cancelled, before a worker took it never starts.
      AttemptOutcome outcome =
          !cancellation->claim() || cancellation->cancelled()
              ? AttemptOutcome{AttemptOutcome::Kind::kRetryable, "", "cancelled before it started"}
              : runner_.run(task, attempt, item.get(), *cancellation, shared->outputs);
      auto ran_for = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - begin);
      bool was_empty;
      {
        std::lock_guard<std::mutex> lock(shared->mutex);
        was_empty = shared->events.empty();
        shared->events.push_back({t, token, std::move(outcome), ran_for});
        shared->has_events.store(true, std::memory_order_release);
      }
      // The scheduler drains every event at once: it only needs waking for the first.
      if (was_empty) shared->cv.notify_all();
    });
  }
  pool_->submit(jobs);
}

size_t Scheduler::dispatch_limit() const {
  size_t workers = static_cast<size_t>(options_.max_workers);
  return quick_tasks_ ? workers * (1 + kQueuedPerWorker) : workers;
}

void Scheduler::note_call_duration(std::chrono::microseconds ran_for) {
  double us = static_cast<double>(ran_for.count());
  mean_call_us_ = calls_seen_ == 0 ? us : 0.9 * mean_call_us_ + 0.1 * us;
  ++calls_seen_;
  quick_tasks_ = calls_seen_ >= 8 && mean_call_us_ < kQuickCallMicros;
}

TimePoint Scheduler::next_deadline() const {
  TimePoint deadline = clock_.now() + std::chrono::hours(24);
  if (!delayed_.empty()) deadline = std::min(deadline, delayed_.top().first);
  for (const auto& [task, r] : running_) {
    if (r.abandon_at) {
      deadline = std::min(deadline, *r.abandon_at);
    } else if (r.deadline) {
      deadline = std::min(deadline, *r.deadline);
    }
  }
  if (stop_deadline_) deadline = std::min(deadline, *stop_deadline_);
  if (drain_deadline_) deadline = std::min(deadline, *drain_deadline_);
  if (run_deadline_ && !run_expired_ && !dag_status_) {
    deadline = std::min(deadline, *run_deadline_);
  }
  if (std::optional<TimePoint> due = gate_->due_at()) deadline = std::min(deadline, *due);
  return deadline;
}

// Blocks until a worker reports, a deadline passes or a stop is asked for. First it watches for
// news for at most kBriefSpin: a quick task's result comes back within it, and catching it saves
// a sleep and a wake-up, which cost tens of microseconds on a VM, in every step of a chain. The
// bound is in time, not in luck, so a loaded machine loses no more than that to it. Buffered
// log lines go out before it sleeps (on_idle), so a quiet run shows what it did.
void Scheduler::wait_and_handle_events() {
  auto no_news = [&] {
    return !shared_->has_events.load(std::memory_order_acquire) && !stop_pending() && !pool_news();
  };
  auto spin_end = std::chrono::steady_clock::now() + kBriefSpin;
  while (no_news() && std::chrono::steady_clock::now() < spin_end) {
  }
  if (no_news()) observer_.on_idle();
  std::vector<Event> events;
  {
    TimePoint deadline = next_deadline();
    std::unique_lock<std::mutex> lock(shared_->mutex);
    if (no_news()) clock_.wait_until(lock, shared_->cv, deadline);
    events.swap(shared_->events);
    shared_->has_events.store(false, std::memory_order_relaxed);
  }
  TimePoint now = clock_.now();
  if (stop_pending()) begin_stop(now);
  for (Event& e : events) on_completion(e, now);
  check_deadlines(now);
}

AttemptRecord Scheduler::attempt_record(uint32_t task, const Running& running,
                                        TimePoint now) const {
  return {records_[task].task_name, records_[task].attempt,
          TaskStatus::kFailed,      "",
          running.started,          now};
}

void Scheduler::on_completion(Event& e, TimePoint now) {
  auto it = running_.find(e.task);
  if (it == running_.end() || it->second.token != e.token) return;  // an abandoned call, late
  Running running = std::move(it->second);
  running_.erase(it);
  release_pool_slot(e.task);
  note_call_duration(e.ran_for);
  AttemptRecord attempt = attempt_record(e.task, running, now);
  const AttemptOutcome& outcome = e.outcome;
  if (outcome.kind == AttemptOutcome::Kind::kOk) {
    complete(e.task, outcome.output, attempt, now);
    return;
  }
  if (running.run_timed_out) {
    fail_attempt(e.task, run_timeout_message(), /*permanent=*/true, attempt, now);
    return;
  }
  std::string error = running.timed_out ? timeout_message(e.task) : outcome.error;
  if (running.stopped && !running.timed_out) {
    interrupt(e.task, std::string(stop_description()) + ": " + error, attempt, now);
    return;
  }
  fail_attempt(e.task, error, outcome.kind == AttemptOutcome::Kind::kPermanent, attempt, now,
               outcome.retry_after);
}

void Scheduler::stage(uint32_t task, std::optional<AttemptRecord> attempt) {
  gate_->stage({records_[task], std::move(attempt)}, clock_.now());
  observer_.on_task_row(task, records_[task]);
}

}  // namespace flowweaver
