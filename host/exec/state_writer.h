// Commits the scheduler's batches of task updates, in the order they are given: in the
// background on a thread of its own when nothing waits for them (the scheduler goes on while
// SQLite writes), or on the caller's thread when a task may start only once they are durable.
// It is the only way the scheduler reaches the store while a run goes on, so the store is never
// used from two threads at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "state/state_store.h"

namespace flowweaver {

class StateWriter {
 public:
  StateWriter(StateStore& store, std::string run_id);
  // Commits what is still queued, then joins the thread.
  ~StateWriter();
  StateWriter(const StateWriter&) = delete;
  StateWriter& operator=(const StateWriter&) = delete;

  // Queues `batch`; batches queued together share one transaction. Returns at once, unless
  // kMaxQueued batches already wait: then it waits for the thread to take them, so that a
  // scheduler faster than the disk does not pile up batches in memory.
  void write_later(std::vector<TaskUpdate> batch);
  // Commits everything queued, then `batch` (possibly empty; through the store's
  // apply_awaited() when `awaited`: a task waits for a completion in it), before it returns.
  // After a failed write nothing more is written: returns the store's error, the first one,
  // every time.
  std::optional<std::string> write_now(std::vector<TaskUpdate> batch, bool awaited = true);
  // The store's error if a write has failed, background ones included.
  std::optional<std::string> error() const;

 private:
  void write_queued();
  // Commits `batch` (with apply_awaited() when a task waits for it); the store's error if that
  // failed.
  std::optional<std::string> try_apply(const std::vector<TaskUpdate>& batch, bool awaited);
  // Keeps the first failure. Under mutex_.
  void record(std::optional<std::string> failure);

  static constexpr size_t kMaxQueued = 2;

  StateStore& store_;
  const std::string run_id_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::vector<TaskUpdate>> queue_;
  bool writing_ = false;  // the thread is applying what it took off the queue
  bool stopping_ = false;
  std::optional<std::string> error_;
  std::atomic<bool> failed_{false};  // error_ is set, for error() to read without the lock
  std::thread thread_;               // started by the first write_later()
};

}  // namespace flowweaver
