// What happens to a task as its attempts end and its upstream tasks settle: the task state
// machine of the scheduler (exec/scheduler.h).
#include <algorithm>

#include "exec/host_deaths.h"
#include "exec/retry_policy.h"
#include "exec/scheduler.h"
#include "exec/scheduler_shared.h"
#include "manifest/flow_names.h"

namespace flowweaver {
namespace {

Millis elapsed(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<Millis>(to - from);
}

}  // namespace

void Scheduler::complete(uint32_t task, std::string output, AttemptRecord attempt, TimePoint now) {
  TaskRecord& r = records_[task];
  r.status = TaskStatus::kCompleted;
  r.result = std::move(output);
  r.error.clear();
  r.finished_at = now;
  r.timestamp = now;
  if (!is_item(task)) shared_->outputs[task] = r.result;
  attempt.status = TaskStatus::kCompleted;
  observer_.on_task_finished(task, r.attempt, true, "", elapsed(attempt.started_at, now));
  stage(task, attempt);
  settle(task, UpstreamOutcome::kSucceeded, now);
}

void Scheduler::fail_attempt(uint32_t task, const std::string& error, bool permanent,
                             AttemptRecord attempt, TimePoint now,
                             std::optional<Millis> retry_after) {
  TaskRecord& r = records_[task];
  attempt.error = error;
  r.error = error;
  r.finished_at = now;
  r.timestamp = now;
  observer_.on_task_finished(task, r.attempt, false, error, elapsed(attempt.started_at, now));
  const RetryPolicy& policy = spec(task).retry;
  // Past the run's deadline only handlers may start: no retry for the DAG's tasks.
  permanent |= run_expired_ && !is_handler(task);
  if (!permanent && attempts_this_run_[task] < max_attempts(policy)) {
    Millis delay = retry_delay(policy, attempts_this_run_[task], options_.random_unit());
    // A task's own request to wait (a server's Retry-After) lengthens the delay, but
    // max_retry_delay stays the bound the manifest promises: past it, the retry may simply be
    // refused again, which is retryable too.
    if (retry_after) delay = std::min(std::max(delay, *retry_after), policy.max_retry_delay);
    r.status = TaskStatus::kPending;
    r.next_attempt_at = now + delay;
    delayed_.push({*r.next_attempt_at, task});
    observer_.on_retry_scheduled(task, r.attempt + 1, delay);
    stage(task, attempt);
    return;
  }
  settle(task, fail(task, error, attempt, now), now);
}

UpstreamOutcome Scheduler::fail(uint32_t task, const std::string& error,
                                std::optional<AttemptRecord> attempt, TimePoint now) {
  TaskRecord& r = records_[task];
  r.status = TaskStatus::kFailed;
  r.error = error;
  r.finished_at = now;
  r.timestamp = now;
  r.next_attempt_at.reset();
  stage(task, std::move(attempt));
  observer_.on_task_failed(task, error);
  return failed_outcome(task);
}

UpstreamOutcome Scheduler::failed_outcome(uint32_t task) const {
  return spec(task).allow_failure ? UpstreamOutcome::kAllowedFailure : UpstreamOutcome::kFailed;
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

void Scheduler::skip(uint32_t task, const std::string& reason, TimePoint now) {
  TaskRecord& r = records_[task];
  r.status = TaskStatus::kSkipped;
  r.error = reason;
  r.timestamp = now;
  r.next_attempt_at.reset();
  stage(task);
  observer_.on_task_skipped(task, reason);
}

void Scheduler::settle(uint32_t task, UpstreamOutcome outcome, TimePoint now) {
  if (is_item(task)) {
    item_settled(task, outcome, now);  // its task settles once every item has ended
    return;
  }
  std::vector<std::pair<uint32_t, UpstreamOutcome>> to_settle{{task, outcome}};
  std::vector<UpstreamTracker::Decided> decided;
  while (!to_settle.empty()) {
    auto [t, o] = to_settle.back();
    to_settle.pop_back();
    decided.clear();
    tracker_->settle(t, o, &decided);
    // What a settled task makes ready waits for its row to be committed (commit_gate.h).
    for (auto [d, decision] : decided) apply_decision(d, decision, true, now, &to_settle);
  }
}

void Scheduler::apply_decision(uint32_t task, TriggerDecision decision, bool gated, TimePoint now,
                               std::vector<std::pair<uint32_t, UpstreamOutcome>>* settled) {
  TaskRecord& r = records_[task];
  if (r.status != TaskStatus::kPending) return;  // e.g. failed by the run's deadline
  if (decision == TriggerDecision::kRun) {
    // A retry the previous process scheduled keeps its due time.
    if (r.next_attempt_at && *r.next_attempt_at > now) {
      delayed_.push({*r.next_attempt_at, task});
    } else if (std::optional<UpstreamOutcome> o = start_if_condition_holds(task, gated, now)) {
      settled->push_back({task, *o});
    }
    return;
  }
  skip(task, skip_reason(task, decision), now);
  settled->push_back({task, skipped_outcome(decision)});
}

std::optional<UpstreamOutcome> Scheduler::start_if_condition_holds(uint32_t task, bool gated,
                                                                   TimePoint now) {
  if (options_.condition) {
    ConditionVerdict verdict = options_.condition(task, records_);
    if (verdict.kind == ConditionVerdict::Kind::kSkip) {
      skip(task, verdict.reason, now);
      return UpstreamOutcome::kSkipped;
    }
    if (verdict.kind == ConditionVerdict::Kind::kFail) {
      return fail(task, verdict.reason, std::nullopt, now);
    }
  }
  make_ready(task, gated);
  return std::nullopt;
}

void Scheduler::make_ready(uint32_t task, bool gated) {
  if (gated) gate_->gate(task);
  ready_.push(task);
  observer_.on_task_ready(task);
}

bool Scheduler::recover_left_running(uint32_t task, TimePoint now) {
  // The process that ran this attempt died before it finished (host_deaths.h).
  load_host_deaths();
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

void Scheduler::load_host_deaths() {
  // Only when some task was left RUNNING.
  if (host_crashes_) return;
  host_crashes_ = count_host_crashes(store_.load_attempts(run_id_));
  if (!options_.crash_marker.empty()) crash_records_ = read_crash_marker(options_.crash_marker);
}

// Names the upstream task that decided it, so `status` answers "why was this skipped?".
std::string Scheduler::skip_reason(uint32_t task, TriggerDecision decision) const {
  const std::vector<uint32_t>& upstream = dag_.upstream(task);
  auto first = [&](auto predicate) -> const TaskRecord* {
    for (uint32_t u : upstream) {
      if (tracker_->settled(u) && predicate(tracker_->outcome(u))) return &records_[u];
    }
    return nullptr;
  };
  if (decision == TriggerDecision::kSkipUpstreamFailed) {
    if (const TaskRecord* u =
            first([](UpstreamOutcome o) { return o == UpstreamOutcome::kFailed; })) {
      return "upstream '" + u->task_name + "' failed";
    }
    // Skipped for a failure further up: that one is named in its reason.
    if (const TaskRecord* u =
            first([](UpstreamOutcome o) { return o == UpstreamOutcome::kUpstreamFailed; })) {
      return u->error;
    }
    return "an upstream task failed";
  }
  const TriggerRule rule = manifest_.tasks[task].trigger_rule;
  std::string prefix = rule == TriggerRule::kAllSuccess
                           ? std::string()
                           : "trigger rule " + trigger_rule_name(rule) + ": ";
  switch (rule) {
    case TriggerRule::kAllSuccess:
      if (const TaskRecord* u =
              first([](UpstreamOutcome o) { return o == UpstreamOutcome::kAllowedFailure; })) {
        return "upstream '" + u->task_name + "' failed (allowed)";
      }
      if (const TaskRecord* u =
              first([](UpstreamOutcome o) { return o == UpstreamOutcome::kSkipped; })) {
        return "upstream '" + u->task_name + "' was skipped";
      }
      break;
    case TriggerRule::kAllFailed:
      if (const TaskRecord* u = first([](UpstreamOutcome o) {
            return o == UpstreamOutcome::kSucceeded || o == UpstreamOutcome::kSkipped;
          })) {
        return prefix + "upstream '" + u->task_name + "' did not fail";
      }
      break;
    case TriggerRule::kOneSuccess:
      return prefix + "no upstream task succeeded";
    case TriggerRule::kOneFailed:
      return prefix + "no upstream task failed";
    case TriggerRule::kAllDone:
    case TriggerRule::kNoneFailed:
      break;
  }
  return prefix + "skipped";
}

}  // namespace flowweaver
