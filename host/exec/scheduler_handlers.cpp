// The handler phase of the scheduler (exec/scheduler.h): once the DAG's tasks have ended or
// been stopped, the handlers whose role fits the outcome run, as tasks among themselves.
#include "exec/scheduler.h"
#include "exec/scheduler_shared.h"

namespace flowweaver {

DagStop Scheduler::stop_kind() const {
  if (!stopping_) return DagStop::kNone;
  return cancel_requested() ? DagStop::kCancel : DagStop::kShutdown;
}

bool Scheduler::begin_handlers(TimePoint now) {
  RunStatus dag = run_expired_ ? RunStatus::kFailed : dag_status(manifest_, records_, stop_kind());
  dag_status_ = dag;
  // DAG tasks a stop left ready or waiting for a retry stay PENDING, for a resume.
  ready_ = {};
  delayed_ = {};
  // The handlers run despite the stop that ended the DAG; a stop asked for from now on stops
  // them.
  stopping_ = false;
  drain_deadline_.reset();
  stop_deadline_.reset();
  stops_acted_on_ = shared_->stop_requests.load(std::memory_order_acquire);
  std::vector<uint32_t> handlers;
  for (uint32_t t = 0; t < manifest_.tasks.size(); ++t) {
    if (is_handler(t)) handlers.push_back(t);
  }
  if (handlers.empty()) return false;
  if (options_.on_handlers_start) {
    options_.on_handlers_start(dag, failed_task_names(manifest_, records_));
  }
  std::vector<std::pair<uint32_t, UpstreamOutcome>> settled;
  std::vector<UpstreamTracker::Decided> decided;
  for (uint32_t h : handlers) {
    TaskRecord& r = records_[h];
    if (r.status == TaskStatus::kCompleted) {  // in an earlier process of this run
      settled.push_back({h, UpstreamOutcome::kSucceeded});
    } else if (r.status == TaskStatus::kFailed) {  // crashed the host once too often
      settled.push_back({h, manifest_.tasks[h].allow_failure ? UpstreamOutcome::kAllowedFailure
                                                             : UpstreamOutcome::kFailed});
    } else if (!handler_runs(manifest_.tasks[h].role, dag)) {
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
