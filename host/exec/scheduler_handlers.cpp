// The handler phase of the scheduler (exec/scheduler.h): once the DAG's tasks have ended or
// been stopped, the handlers whose role fits the outcome run, as tasks among themselves.
#include <algorithm>

#include "exec/scheduler.h"
#include "exec/scheduler_shared.h"

namespace flowweaver {

DagStop Scheduler::stop_kind() const {
  if (!stopping_) return DagStop::kNone;
  return cancel_requested() ? DagStop::kCancel : DagStop::kShutdown;
}

bool Scheduler::begin_handlers(TimePoint now) {
  if (!dag_status_) {
    dag_status_ = run_expired_ ? RunStatus::kFailed : dag_status(manifest_, records_, stop_kind());
    // DAG tasks a stop left ready or waiting for a retry stay PENDING, for a resume.
    ready_ = {};
    delayed_ = {};
    withdraw_pool_waits();
    // The handlers run despite the stop that ended the DAG; a stop asked for from now on stops
    // them.
    stopping_ = false;
    drain_deadline_.reset();
    stop_deadline_.reset();
    stops_acted_on_ = shared_->stop_requests.load(std::memory_order_acquire);
    if (options_.on_handlers_start &&
        std::any_of(manifest_.tasks.begin(), manifest_.tasks.end(),
                    [](const TaskSpec& t) { return t.role != TaskRole::kTask; })) {
      options_.on_handlers_start(*dag_status_, failed_task_names(manifest_, records_));
    }
  }
  // on_failure, then on_exit ("always, last"); a stop during the handlers ends them.
  while (!stopping_ && next_handlers_ != TaskRole::kTask) {
    TaskRole role = next_handlers_;
    next_handlers_ = role == TaskRole::kOnFailure ? TaskRole::kOnExit : TaskRole::kTask;
    if (release_handlers(role, now)) return true;
  }
  return false;
}

bool Scheduler::release_handlers(TaskRole role, TimePoint now) {
  std::vector<std::pair<uint32_t, UpstreamOutcome>> settled;
  std::vector<UpstreamTracker::Decided> decided;
  for (uint32_t h = 0; h < manifest_.tasks.size(); ++h) {
    if (manifest_.tasks[h].role != role) continue;
    TaskRecord& r = records_[h];
    if (r.status == TaskStatus::kCompleted) {  // in an earlier process of this run
      settled.push_back({h, UpstreamOutcome::kSucceeded});
    } else if (r.status == TaskStatus::kFailed) {  // crashed the host once too often
      settled.push_back({h, failed_outcome(h)});
    } else if (!handler_runs(role, *dag_status_)) {
      skip(h, "the run did not fail", now);
      settled.push_back({h, UpstreamOutcome::kSkipped});
    } else if (dag_.upstream(h).empty()) {
      TriggerDecision d = tracker_->decide(h);
      if (d != TriggerDecision::kWait) decided.push_back({h, d});
    }
  }
  std::vector<std::pair<uint32_t, UpstreamOutcome>> more;
  for (auto [h, decision] : decided) apply_decision(h, decision, false, now, &more);
  settled.insert(settled.end(), more.begin(), more.end());
  for (auto [h, outcome] : settled) settle(h, outcome, now);
  return !ready_.empty() || !delayed_.empty();
}

}  // namespace flowweaver
