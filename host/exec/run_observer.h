// Hooks around every task, called on the scheduler's thread in the order things happen: the
// home of logging, metrics and progress, so the scheduler itself does none of them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "exec/task_runner.h"
#include "state/state_store.h"
#include "util/clock.h"

namespace flowweaver {

// A task is named by its index in the manifest; an item of a foreach or matrix task by its slot,
// after them (exec/task_item.h), announced by on_item_added before any other hook names it.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_item_added(const TaskItem& /*item*/) {}
  // Its trigger rule and condition let it run (or a retry fell due): it waits only for a worker.
  virtual void on_task_ready(uint32_t /*task*/) {}
  virtual void on_task_started(uint32_t /*task*/, int /*attempt*/) {}
  // `error` is the final wording recorded for a failed attempt (e.g. "timeout after 30s").
  virtual void on_task_finished(uint32_t /*task*/, int /*attempt*/, bool /*ok*/,
                                const std::string& /*error*/, Millis /*duration*/) {}
  virtual void on_retry_scheduled(uint32_t /*task*/, int /*next_attempt*/, Millis /*delay*/) {}
  virtual void on_task_failed(uint32_t /*task*/, const std::string& /*error*/) {}
  // `reason` says why: "upstream 'x' failed", "condition false", ...
  virtual void on_task_skipped(uint32_t /*task*/, const std::string& /*reason*/) {}
  virtual void on_task_abandoned(uint32_t /*task*/, int /*attempt*/) {}
  // A task's (or an item's) row changed: its whole new state, as it is handed to the store to
  // be written (not yet durable). Every change of status, attempt, error or times comes here.
  virtual void on_task_row(uint32_t /*task*/, const TaskRecord& /*row*/) {}
  // The scheduler has handled everything at hand and is about to wait: the time to write out
  // what was buffered (log lines), so that nothing waits in a buffer while the run waits.
  virtual void on_idle() {}
};

// Tells several observers, in the order added.
class ObserverList : public RunObserver {
 public:
  void add(RunObserver* observer) { observers_.push_back(observer); }

  void on_item_added(const TaskItem& item) override {
    for (RunObserver* o : observers_) o->on_item_added(item);
  }
  void on_task_ready(uint32_t task) override {
    for (RunObserver* o : observers_) o->on_task_ready(task);
  }
  void on_task_started(uint32_t task, int attempt) override {
    for (RunObserver* o : observers_) o->on_task_started(task, attempt);
  }
  void on_task_finished(uint32_t task, int attempt, bool ok, const std::string& error,
                        Millis duration) override {
    for (RunObserver* o : observers_) o->on_task_finished(task, attempt, ok, error, duration);
  }
  void on_retry_scheduled(uint32_t task, int next_attempt, Millis delay) override {
    for (RunObserver* o : observers_) o->on_retry_scheduled(task, next_attempt, delay);
  }
  void on_task_failed(uint32_t task, const std::string& error) override {
    for (RunObserver* o : observers_) o->on_task_failed(task, error);
  }
  void on_task_skipped(uint32_t task, const std::string& reason) override {
    for (RunObserver* o : observers_) o->on_task_skipped(task, reason);
  }
  void on_task_abandoned(uint32_t task, int attempt) override {
    for (RunObserver* o : observers_) o->on_task_abandoned(task, attempt);
  }
  void on_task_row(uint32_t task, const TaskRecord& row) override {
    for (RunObserver* o : observers_) o->on_task_row(task, row);
  }
  void on_idle() override {
    for (RunObserver* o : observers_) o->on_idle();
  }

 private:
  std::vector<RunObserver*> observers_;
};

}  // namespace flowweaver
