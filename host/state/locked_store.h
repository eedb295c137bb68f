// A store that holds its state's writer lock (writer_lock.h) for as long as it is open; every call
// goes to the store it wraps.
#pragma once

#include <memory>

#include "state/state_store.h"
#include "state/writer_lock.h"

namespace flowweaver {

class LockedStore : public StateStore {
 public:
  // `lock` is taken before `store` is opened, and released after it is closed.
  LockedStore(std::unique_ptr<WriterLock> lock, std::unique_ptr<StateStore> store)
      : lock_(std::move(lock)), store_(std::move(store)) {}

  std::optional<RunRecord> latest_run(const std::string& workflow) override {
    return store_->latest_run(workflow);
  }
  std::optional<RunRecord> find_run(const std::string& run_id) override {
    return store_->find_run(run_id);
  }
  std::vector<RunRecord> list_runs(const std::string& workflow, size_t limit) override {
    return store_->list_runs(workflow, limit);
  }
  void create_run(const RunRecord& run, const std::vector<TaskRecord>& tasks) override {
    store_->create_run(run, tasks);
  }
  void update_run(const RunRecord& run) override { store_->update_run(run); }
  std::optional<RunRecord> find_child_run(const std::string& parent_run_id,
                                          const std::string& parent_task) override {
    return store_->find_child_run(parent_run_id, parent_task);
  }
  std::vector<TaskRecord> load_tasks(const std::string& run_id) override {
    return store_->load_tasks(run_id);
  }
  std::vector<AttemptRecord> load_attempts(const std::string& run_id) override {
    return store_->load_attempts(run_id);
  }
  void apply(const std::string& run_id, const std::vector<TaskUpdate>& updates) override {
    store_->apply(run_id, updates);
  }
  void apply_awaited(const std::string& run_id, const std::vector<TaskUpdate>& updates) override {
    store_->apply_awaited(run_id, updates);
  }
  void import_runs(const std::vector<StoredRun>& runs) override { store_->import_runs(runs); }
  std::string describe() const override { return store_->describe(); }

 private:
  std::unique_ptr<WriterLock> lock_;  // declared first: destroyed last
  std::unique_ptr<StateStore> store_;
};

}  // namespace flowweaver
