// Timeouts, stop requests and the run's deadline: how the scheduler (exec/scheduler.h) cuts
// calls short, and writes off those that ignore it.
#include "exec/scheduler.h"
#include "exec/scheduler_shared.h"
#include "util/time_format.h"

namespace flowweaver {

void Scheduler::check_deadlines(TimePoint now) {
  if (drain_deadline_ && now >= *drain_deadline_) cancel_running(now);
  std::vector<uint32_t> to_abandon;
  for (auto& [task, r] : running_) {
    if (r.abandon_at && now >= *r.abandon_at) {
      to_abandon.push_back(task);
    } else if (r.deadline && !r.timed_out && !r.abandon_at && now >= *r.deadline) {
      r.timed_out = true;
      r.cancellation->cancel();
      r.abandon_at = now + options_.grace_period;
    }
  }
  for (uint32_t task : to_abandon) abandon(task, now);
}

void Scheduler::abandon(uint32_t task, TimePoint now) {
  Running running = std::move(running_.at(task));
  running_.erase(task);
  release_pool_slot(task);
  abandoned_ = true;
  pool_->add_worker();  // the stuck thread no longer counts against max_workers
  observer_.on_task_abandoned(task, records_[task].attempt);
  AttemptRecord attempt = attempt_record(task, running, now);
  std::string note = " (the task ignored cancellation for " +
                     format_duration_spec(options_.grace_period) + " and was abandoned)";
  if (running.run_timed_out) {
    fail_attempt(task, run_timeout_message() + note, /*permanent=*/true, attempt, now);
  } else if (!running.timed_out) {
    interrupt(task, stop_description() + note, attempt, now);
  } else {
    fail_attempt(task, timeout_message(task) + note, false, attempt, now);
  }
}

void Scheduler::begin_stop(TimePoint now) {
  stops_acted_on_ = shared_->stop_requests.load(std::memory_order_acquire);
  bool cancel = cancel_requested();
  if (stopping_ && !(cancel && drain_deadline_)) return;
  stopping_ = true;
  withdraw_pool_waits();  // nothing new starts: another run may have the slots
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

void Scheduler::expire_run(TimePoint now) {
  run_expired_ = true;
  const std::string message = run_timeout_message();
  ready_ = {};
  delayed_ = {};
  withdraw_pool_waits();
  for (auto& [task, r] : running_) {
    if (is_handler(task)) continue;
    r.run_timed_out = true;
    r.cancellation->cancel();
    if (!r.abandon_at) r.abandon_at = now + options_.grace_period;
  }
  // Unfinished tasks fail as one: none of them is settled, so no rule runs anything after them.
  for (uint32_t t = 0; t < manifest_.tasks.size(); ++t) {
    if (is_handler(t) || records_[t].status != TaskStatus::kPending) continue;
    fail(t, message, std::nullopt, now);
  }
  // So do unfinished items; their task fails as its last one ends, settling nothing either.
  for (auto& [task, group] : groups_) {
    group.active += static_cast<uint32_t>(group.unreleased.size());
    group.unreleased.clear();
  }
  for (auto slot = static_cast<uint32_t>(manifest_.tasks.size()); slot < records_.size(); ++slot) {
    if (records_[slot].status != TaskStatus::kPending) continue;
    item_settled(slot, fail(slot, message, std::nullopt, now), now);
  }
}

std::string Scheduler::timeout_message(uint32_t task) const {
  return "timeout after " + format_duration_spec(*spec(task).timeout);
}

std::string Scheduler::run_timeout_message() const {
  return "workflow timeout after " + format_duration_spec(*manifest_.timeout);
}

}  // namespace flowweaver
