// foreach and matrix tasks (exec/scheduler.h): a ready one lists its items, each item becomes a
// slot of its own with a durable row (`convert[3]`) and runs like a task, and the task ends
// once its last item has: COMPLETED with the list of their outputs, or FAILED if one failed.
#include "exec/scheduler.h"
#include "exec/scheduler_shared.h"

namespace flowweaver {
namespace {

std::string list_of_outputs(const std::vector<TaskRecord>& records, uint32_t first,
                            uint32_t count) {
  std::string out = "[";
  for (uint32_t i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    const std::string& result = records[first + i].result;
    out += result.empty() ? "null" : result;
  }
  return out + "]";
}

}  // namespace

void Scheduler::start_items(uint32_t task, TimePoint now) {
  std::vector<TaskItem> listed;
  try {
    if (!options_.list_items) throw std::runtime_error("this host cannot list a task's items");
    listed = options_.list_items(task, shared_->outputs);
  } catch (const std::exception& e) {
    settle(task, fail(task, e.what(), std::nullopt, now), now);
    return;
  }
  TaskRecord& r = records_[task];
  r.status = TaskStatus::kRunning;
  r.attempt += 1;
  r.error.clear();
  r.started_at = now;
  r.finished_at.reset();
  r.next_attempt_at.reset();
  r.timestamp = now;
  stage(task);
  observer_.on_task_started(task, r.attempt);

  ItemGroup& group = groups_[task];
  group = ItemGroup{};
  group.first = static_cast<uint32_t>(records_.size());
  group.count = static_cast<uint32_t>(listed.size());
  group.started = now;
  gate_->add_slots(listed.size());
  for (size_t i = 0; i < listed.size(); ++i) {
    TaskItem& item = *items_.emplace_back(std::make_shared<TaskItem>(std::move(listed[i])));
    item.task = task;
    item.slot = group.first + static_cast<uint32_t>(i);
    observer_.on_item_added(item);
    attempts_this_run_.push_back(0);
    add_item_record(item, now);
  }
  for (uint32_t slot = group.first + group.count; slot-- > group.first;) {
    const TaskRecord& item = records_[slot];
    if (item.status == TaskStatus::kCompleted || item.status == TaskStatus::kFailed) {
      // Completed earlier, or failed now for the host's deaths during it (recover_left_running).
      ++group.ended;
      if (item.status == TaskStatus::kFailed) {
        ++group.failed;
        group.first_failure = item.task_name + ": " + item.error;
      }
    } else {
      group.unreleased.push_back(slot);
    }
  }
  if (group.ended == group.count) {
    finish_items(task, now);
  } else {
    release_items(task);
  }
}

void Scheduler::add_item_record(const TaskItem& item, TimePoint now) {
  auto earlier = earlier_items_.find(item.name);
  if (earlier == earlier_items_.end()) {
    TaskRecord r;
    r.task_name = item.name;
    r.position = records_[item.task].position;
    r.status = TaskStatus::kPending;
    r.timestamp = now;
    records_.push_back(std::move(r));
    stage(item.slot);
    return;
  }
  records_.push_back(std::move(earlier->second));
  earlier_items_.erase(earlier);
  records_.back().position = records_[item.task].position;
  if (records_.back().status != TaskStatus::kCompleted) reopen(item.slot, now);
}

void Scheduler::release_items(uint32_t task) {
  ItemGroup& group = groups_.at(task);
  const int cap = manifest_.tasks[task].fan_out->max_parallel;
  // The items wait for the commit their task would have waited for (exec/commit_gate.h).
  bool gated = gate_->gated(task);
  TimePoint now = clock_.now();
  while (!group.unreleased.empty() && (cap <= 0 || group.active < static_cast<uint32_t>(cap))) {
    uint32_t slot = group.unreleased.back();
    group.unreleased.pop_back();
    ++group.active;
    const TaskRecord& r = records_[slot];
    if (r.next_attempt_at && *r.next_attempt_at > now) {
      delayed_.push({*r.next_attempt_at, slot});  // a retry an earlier process scheduled
    } else {
      make_ready(slot, gated);
    }
  }
}

void Scheduler::item_settled(uint32_t slot, UpstreamOutcome outcome, TimePoint now) {
  uint32_t task = task_of(slot);
  ItemGroup& group = groups_.at(task);
  --group.active;
  ++group.ended;
  if (outcome != UpstreamOutcome::kSucceeded && group.failed++ == 0) {
    group.first_failure = records_[slot].task_name + ": " + records_[slot].error;
  }
  if (group.ended == group.count) {
    finish_items(task, now);
  } else if (!stopping_ && !run_expired_) {
    release_items(task);
  }
}

void Scheduler::finish_items(uint32_t task, TimePoint now) {
  const ItemGroup& group = groups_.at(task);
  AttemptRecord attempt{records_[task].task_name,
                        records_[task].attempt,
                        TaskStatus::kFailed,
                        "",
                        group.started,
                        now};
  if (group.failed == 0) {
    complete(task, list_of_outputs(records_, group.first, group.count), attempt, now);
    return;
  }
  std::string error = std::to_string(group.failed) + " of " + std::to_string(group.count) +
                      " items failed; the first: " + group.first_failure;
  observer_.on_task_finished(task, records_[task].attempt, false, error,
                             std::chrono::duration_cast<Millis>(now - group.started));
  attempt.error = error;
  UpstreamOutcome outcome = fail(task, error, attempt, now);
  // Past the run's deadline nothing is settled (Scheduler::expire_run).
  if (!run_expired_) settle(task, outcome, now);
}

void Scheduler::park_unfinished_items(TimePoint now) {
  for (auto& [task, group] : groups_) {
    TaskRecord& r = records_[task];
    if (r.status != TaskStatus::kRunning) continue;
    r.status = TaskStatus::kPending;  // the next run lists its items again
    r.attempt -= 1;                   // and makes this attempt, which never ended, again
    r.timestamp = now;
    stage(task);
  }
}

}  // namespace flowweaver
