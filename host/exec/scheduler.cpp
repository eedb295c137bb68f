#include "exec/scheduler.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include "exec/crash_marker.h"
#include "exec/host_deaths.h"
#include "exec/retry_policy.h"
#include "exec/state_writer.h"
#include "util/error.h"
#include "util/time_format.h"

namespace flowweaver {
namespace {

Millis elapsed(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<Millis>(to - from);
}

}  // namespace

struct Scheduler::Shared {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<Event> events;
  std::atomic<bool> has_events{false};  // !events.empty(), for the brief spin to watch
  // Set under `mutex` (so a waiting scheduler cannot miss it); read without, once per turn.
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> cancel_requested{false};  // set with stop_requested
  OutputTable outputs;  // written by the scheduler before dependents start; read by workers
};

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

Scheduler::~Scheduler() = default;

void Scheduler::request_stop(StopReason reason) {
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    if (reason == StopReason::kCancel) {
      shared_->cancel_requested.store(true, std::memory_order_release);
    }
    shared_->stop_requested.store(true, std::memory_order_release);
  }
  shared_->cv.notify_all();
}

bool Scheduler::stop_requested() const {
  return shared_->stop_requested.load(std::memory_order_acquire);
}

bool Scheduler::cancel_requested() const {
  return shared_->cancel_requested.load(std::memory_order_acquire);
}

bool Scheduler::stop_pending() const {
  return stop_requested() && (!stopping_ || (cancel_requested() && drain_deadline_));
}

const char* Scheduler::stop_description() const {
  return cancel_requested() ? "cancelled" : "interrupted by shutdown";
}

SchedulerResult Scheduler::run(const std::string& run_id, std::vector<TaskRecord> initial) {
  run_id_ = run_id;
  writer_ = std::make_unique<StateWriter>(store_, run_id_);
  pool_ = std::make_unique<WorkerPool>(options_.max_workers);
  initialize(std::move(initial), clock_.now());
  std::vector<uint32_t> started;
  while (true) {
    TimePoint now = clock_.now();
    promote_due(now);
    started.clear();
    if (stop_pending()) begin_stop(now);  // e.g. a signal during start-up
    if (std::optional<std::string> error = writer_->error()) store_failed(*error);
    if (!stopping_) dispatch(now, &started);
    // No task is called before its RUNNING row, and every upstream's COMPLETED staged before it,
    // are durable: those that start together share the commit.
    if (!started.empty()) flush(gated_start_);
    if (store_error_.empty()) {
      submit(started);
    } else {
      // The store failed while they were being dispatched: start nothing more.
      for (uint32_t t : started) running_.erase(t);
    }
    if (flush_due(now)) flush_in_background();
    bool idle = ready_.empty() && delayed_.empty();
    if (running_.empty() && (stopping_ || idle)) break;
    wait_and_handle_events();
  }
  flush();
  writer_.reset();
  SchedulerResult result;
  result.abandoned_calls = abandoned_;
  pool_.reset();  // joins idle workers; detaches any stuck in an abandoned call
  if (!store_error_.empty()) throw Error::State(store_error_);
  bool all_completed = true;
  for (const TaskRecord& r : records_) all_completed &= r.status == TaskStatus::kCompleted;
  // A stop that came after the last task finished interrupted nothing.
  RunStatus stopped = cancel_requested() ? RunStatus::kCancelled : RunStatus::kInterrupted;
  result.status = all_completed ? RunStatus::kCompleted : stopping_ ? stopped : RunStatus::kFailed;
  result.tasks = std::move(records_);
  return result;
}

void Scheduler::initialize(std::vector<TaskRecord> initial, TimePoint now) {
  size_t n = manifest_.tasks.size();
  records_ = std::move(initial);
  remaining_upstream_.assign(n, 0);
  gated_.assign(n, 0);
  attempts_this_run_.assign(n, 0);
  shared_->outputs.assign(n, std::string());
  std::vector<uint32_t> crashed_the_host;
  for (uint32_t t = 0; t < n; ++t) {
    TaskRecord& r = records_[t];
    if (r.status == TaskStatus::kCompleted) {
      shared_->outputs[t] = r.result;
      continue;
    }
    bool retry_pending = r.status == TaskStatus::kPending && r.next_attempt_at;
    if (retry_pending) continue;
    if (r.status == TaskStatus::kRunning) {
      if (recover_left_running(t, now)) crashed_the_host.push_back(t);
      continue;
    }
    if (r.status != TaskStatus::kPending) {
      r.status = TaskStatus::kPending;
      r.timestamp = now;
      r.next_attempt_at.reset();
      stage(t);
    }
  }
  for (uint32_t t = 0; t < n; ++t) {
    for (uint32_t u : dag_.upstream(t)) {
      if (records_[u].status != TaskStatus::kCompleted) ++remaining_upstream_[t];
    }
    const TaskRecord& r = records_[t];
    if (r.status != TaskStatus::kPending || remaining_upstream_[t] != 0) continue;
    if (r.next_attempt_at && *r.next_attempt_at > now) {
      delayed_.push({*r.next_attempt_at, t});
    } else {
      make_ready(t);
    }
  }
  for (uint32_t t : crashed_the_host) skip_dependents(t, now);
  // Once what it told is committed, the marker goes. (Its lines name attempts by number: one
  // left behind by a failure in between never matches a later attempt.)
  if (!crash_records_.empty() && flush()) std::remove(options_.crash_marker.c_str());
}

bool Scheduler::recover_left_running(uint32_t task, TimePoint now) {
  // The process that ran this attempt died before it finished (host_deaths.h). The run's
  // attempts and the crash marker are read once, and only when some task was left RUNNING.
  if (!host_crashes_) {
    host_crashes_ = count_host_crashes(store_.load_attempts(run_id_));
    if (!options_.crash_marker.empty()) crash_records_ = read_crash_marker(options_.crash_marker);
  }
  TaskRecord& r = records_[task];
  std::optional<int> crash_signal;
  for (const CrashRecord& c : crash_records_) {
    if (c.run_id == run_id_ && c.task == r.task_name && c.attempt == r.attempt) {
      crash_signal = c.signal;
    }
  }
  HostDeathVerdict verdict = judge_host_death(r, crash_signal, (*host_crashes_)[r.task_name], now);
  r.status = verdict.fail ? TaskStatus::kFailed : TaskStatus::kPending;
  r.error = verdict.error;
  r.finished_at = now;
  r.timestamp = now;
  r.next_attempt_at.reset();
  stage(task, verdict.attempt);
  if (verdict.fail) observer_.on_task_failed(task, verdict.error);
  return verdict.fail;
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
    // Only a free worker takes a task with a timeout: its clock starts now.
    if (manifest_.tasks[t].timeout &&
        running_.size() >= static_cast<size_t>(options_.max_workers)) {
      break;
    }
    ready_.pop();
    // Its upstream's COMPLETED is staged, not yet committed: the start's commit is one it waits
    // for (StateStore::apply_awaited).
    gated_start_ |= gated_[t] != 0;
    TaskRecord& r = records_[t];
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
    if (manifest_.tasks[t].timeout) running.deadline = now + *manifest_.tasks[t].timeout;
    running_.emplace(t, std::move(running));
    stage(t);
    started->push_back(t);
    observer_.on_task_started(t, r.attempt);
  }
}

bool Scheduler::flush(bool awaited) {
  if (store_error_.empty()) {
    // Whatever the writer still has queued commits first.
    if (std::optional<std::string> error =
            writer_->write_now(std::move(pending_writes_), awaited)) {
      // Nothing of the failed batch was written; what was committed before stays. Stop the
      // run: without durable state there is no safe way to go on.
      store_failed(*error);
    }
  }
  pending_writes_.clear();
  oldest_pending_.reset();
  if (!store_error_.empty()) return false;
  for (uint32_t t : gated_list_) gated_[t] = 0;
  gated_list_.clear();
  gated_start_ = false;
  return true;
}

void Scheduler::flush_in_background() {
  // No task waits for these changes: the scheduler goes on while they are written. A task that
  // comes to wait for them calls flush(), which waits for the writer.
  if (store_error_.empty()) writer_->write_later(std::move(pending_writes_));
  pending_writes_.clear();
  oldest_pending_.reset();
}

void Scheduler::store_failed(const std::string& error) {
  if (!store_error_.empty()) return;
  store_error_ = error;
  begin_stop(clock_.now());
}

bool Scheduler::flush_due(TimePoint now) const {
  return pending_writes_.size() >= kFlushBatch ||
         (oldest_pending_ && now - *oldest_pending_ >= kFlushDelay);
}

void Scheduler::submit(const std::vector<uint32_t>& started) {
  std::vector<std::function<void()>> jobs;
  jobs.reserve(started.size());
  for (uint32_t t : started) {
    const Running& running = running_.at(t);
    int attempt = records_[t].attempt;
    jobs.push_back([this, shared = shared_, t, token = running.token, attempt,
                    cancellation = running.cancellation] {
      auto begin = std::chrono::steady_clock::now();
      // A queued call that a stop withdrew, or cancelled, before a worker took it never starts.
      AttemptOutcome outcome =
          !cancellation->claim() || cancellation->cancelled()
              ? AttemptOutcome{AttemptOutcome::Kind::kRetryable, "", "cancelled before it started"}
              : runner_.run(t, attempt, *cancellation, shared->outputs);
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
  if (oldest_pending_) deadline = std::min(deadline, *oldest_pending_ + kFlushDelay);
  return deadline;
}

// Blocks until a worker reports, a deadline passes or a stop is asked for. First it watches for
// news for at most kBriefSpin: a quick task's result comes back within it, and catching it saves
// a sleep and a wake-up, which cost tens of microseconds on a VM, in every step of a chain. The
// bound is in time, not in luck, so a loaded machine loses no more than that to it. Buffered
// log lines go out before it sleeps (on_idle), so a quiet run shows what it did.
void Scheduler::wait_and_handle_events() {
  auto no_news = [&] {
    return !shared_->has_events.load(std::memory_order_acquire) && !stop_pending();
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
  note_call_duration(e.ran_for);
  AttemptRecord attempt = attempt_record(e.task, running, now);
  const AttemptOutcome& outcome = e.outcome;
  if (outcome.kind == AttemptOutcome::Kind::kOk) {
    complete(e.task, outcome.output, attempt, now);
    return;
  }
  std::string error = running.timed_out ? timeout_message(e.task) : outcome.error;
  if (running.stopped && !running.timed_out) {
    interrupt(e.task, std::string(stop_description()) + ": " + error, attempt, now);
    return;
  }
  fail_attempt(e.task, error, outcome.kind == AttemptOutcome::Kind::kPermanent, attempt, now);
}

void Scheduler::complete(uint32_t task, std::string output, AttemptRecord attempt, TimePoint now) {
  TaskRecord& r = records_[task];
  r.status = TaskStatus::kCompleted;
  r.result = std::move(output);
  r.error.clear();
  r.finished_at = now;
  r.timestamp = now;
  shared_->outputs[task] = r.result;
  attempt.status = TaskStatus::kCompleted;
  observer_.on_task_finished(task, r.attempt, true, "", elapsed(attempt.started_at, now));
  stage(task, attempt);
  for (uint32_t d : dag_.downstream(task)) {
    if (--remaining_upstream_[d] == 0 && records_[d].status == TaskStatus::kPending) {
      make_ready(d, /*gated=*/true);
    }
  }
}

void Scheduler::fail_attempt(uint32_t task, const std::string& error, bool permanent,
                             AttemptRecord attempt, TimePoint now) {
  TaskRecord& r = records_[task];
  attempt.error = error;
  r.error = error;
  r.finished_at = now;
  r.timestamp = now;
  observer_.on_task_finished(task, r.attempt, false, error, elapsed(attempt.started_at, now));
  const RetryPolicy& policy = manifest_.tasks[task].retry;
  if (!permanent && attempts_this_run_[task] < max_attempts(policy)) {
    Millis delay = retry_delay(policy, attempts_this_run_[task], options_.random_unit());
    r.status = TaskStatus::kPending;
    r.next_attempt_at = now + delay;
    delayed_.push({*r.next_attempt_at, task});
    observer_.on_retry_scheduled(task, r.attempt + 1, delay);
    stage(task, attempt);
    return;
  }
  r.status = TaskStatus::kFailed;
  stage(task, attempt);
  observer_.on_task_failed(task, error);
  skip_dependents(task, now);
}

void Scheduler::interrupt(uint32_t task, const std::string& error, AttemptRecord attempt,
                          TimePoint now) {
  TaskRecord& r = records_[task];
  attempt.error = error;
  r.status = TaskStatus::kPending;  // runs again on resume
  r.error = error;
  r.finished_at = now;
  r.timestamp = now;
  observer_.on_task_finished(task, r.attempt, false, error, elapsed(attempt.started_at, now));
  stage(task, attempt);
}

void Scheduler::skip_dependents(uint32_t failed, TimePoint now) {
  std::vector<uint32_t> pending(dag_.downstream(failed).begin(), dag_.downstream(failed).end());
  const std::string reason = "upstream '" + records_[failed].task_name + "' failed";
  while (!pending.empty()) {
    uint32_t t = pending.back();
    pending.pop_back();
    TaskRecord& r = records_[t];
    if (r.status != TaskStatus::kPending) continue;
    r.status = TaskStatus::kSkipped;
    r.error = reason;
    r.timestamp = now;
    r.next_attempt_at.reset();
    stage(t);
    observer_.on_task_skipped(t, records_[failed].task_name);
    pending.insert(pending.end(), dag_.downstream(t).begin(), dag_.downstream(t).end());
  }
}

void Scheduler::check_deadlines(TimePoint now) {
  if (drain_deadline_ && now >= *drain_deadline_) cancel_running(now);
  std::vector<std::pair<uint32_t, bool>> to_abandon;  // task, interrupted by shutdown
  for (auto& [task, r] : running_) {
    if (r.abandon_at && now >= *r.abandon_at) {
      to_abandon.push_back({task, !r.timed_out});
    } else if (r.deadline && !r.timed_out && !r.abandon_at && now >= *r.deadline) {
      r.timed_out = true;
      r.cancellation->cancel();
      r.abandon_at = now + options_.grace_period;
    }
  }
  for (auto [task, interrupted] : to_abandon) abandon(task, interrupted, now);
}

void Scheduler::abandon(uint32_t task, bool interrupted, TimePoint now) {
  Running running = std::move(running_.at(task));
  running_.erase(task);
  abandoned_ = true;
  pool_->add_worker();  // the stuck thread no longer counts against max_workers
  observer_.on_task_abandoned(task, records_[task].attempt);
  AttemptRecord attempt = attempt_record(task, running, now);
  std::string note = " (the task ignored cancellation for " +
                     format_duration_spec(options_.grace_period) + " and was abandoned)";
  if (interrupted) {
    interrupt(task, stop_description() + note, attempt, now);
  } else {
    fail_attempt(task, timeout_message(task) + note, false, attempt, now);
  }
}

void Scheduler::begin_stop(TimePoint now) {
  bool cancel = cancel_requested();
  if (stopping_ && !(cancel && drain_deadline_)) return;
  stopping_ = true;
  if (!cancel && options_.drain_period > Millis(0) && !running_.empty()) {
    drain_deadline_ = now + options_.drain_period;  // running tasks may still finish on their own
    for (auto& [task, r] : running_) {
      if (r.cancellation->withdraw()) r.stopped = true;  // queued, not started: start nothing new
    }
  } else {
    cancel_running(now);
  }
}

void Scheduler::cancel_running(TimePoint now) {
  drain_deadline_.reset();
  stop_deadline_ = now + options_.grace_period;
  for (auto& [task, r] : running_) {
    r.stopped = true;
    r.cancellation->cancel();
    if (!r.abandon_at) r.abandon_at = *stop_deadline_;
  }
}

void Scheduler::make_ready(uint32_t task, bool gated) {
  if (gated) {
    gated_[task] = 1;
    gated_list_.push_back(task);
  }
  ready_.push(task);
  observer_.on_task_ready(task);
}

void Scheduler::stage(uint32_t task, std::optional<AttemptRecord> attempt) {
  if (pending_writes_.empty()) oldest_pending_ = clock_.now();
  pending_writes_.push_back({records_[task], std::move(attempt)});
}

std::string Scheduler::timeout_message(uint32_t task) const {
  return "timeout after " + format_duration_spec(*manifest_.tasks[task].timeout);
}

}  // namespace flowweaver
