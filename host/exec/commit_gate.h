// The scheduler's side of the durability rule (exec/scheduler.h): every change to a task's row
// is staged here, and committed in groups. A task that becomes ready on a completion still
// staged is "gated": the commit that carries its RUNNING row must carry that completion too,
// and is one the caller waits for. Changes nothing waits for go to the writer's thread when
// kFlushBatch are staged or the oldest is kFlushDelay old.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "state/state_store.h"
#include "util/clock.h"

namespace flowweaver {

class StateWriter;

class CommitGate {
 public:
  CommitGate(StateStore& store, std::string run_id, size_t num_tasks);
  ~CommitGate();

  void stage(TaskUpdate update, TimePoint now);
  // `task` became ready on a completion that is staged, not committed.
  void gate(uint32_t task);
  // `task` is being started: if it is gated, the next commit is one a task waits for.
  void note_start(uint32_t task) { start_awaits_ |= gated_[task] != 0; }
  bool gated(uint32_t task) const { return gated_[task] != 0; }
  // The scheduler numbers `count` more slots (the items of a foreach or matrix task).
  void add_slots(size_t count) { gated_.resize(gated_.size() + count, 0); }
  bool start_awaits() const { return start_awaits_; }

  // Commits the staged changes, after any the writer still has queued (through the store's
  // apply_awaited() when `awaited`). The store's error, if the commit or an earlier one failed;
  // the staged changes are dropped either way.
  std::optional<std::string> commit(bool awaited = true);
  // Hands the staged changes to the writer's thread, for changes no task waits for.
  void commit_in_background();
  // Whether the staged changes should go to the writer now, and when they will have to.
  bool due(TimePoint now) const;
  std::optional<TimePoint> due_at() const;
  // The store's error if a background write has failed.
  std::optional<std::string> writer_error() const;
  // Commits what the writer has queued and stops it.
  void close();

 private:
  static constexpr size_t kFlushBatch = 4096;
  static constexpr Millis kFlushDelay{10};

  std::unique_ptr<StateWriter> writer_;
  std::vector<TaskUpdate> staged_;
  std::optional<TimePoint> oldest_staged_;
  std::vector<char> gated_;  // per task
  std::vector<uint32_t> gated_list_;
  bool start_awaits_ = false;
  bool failed_ = false;
};

}  // namespace flowweaver
