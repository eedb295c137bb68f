// A JSON-file state store for small workflows: the whole state is one document, rewritten by
// atomic replace (write a temporary file, fsync, rename) on every change, so a crash leaves
// either the old or the new file, never a torn one.
#pragma once

#include <nlohmann/json.hpp>

#include "state/state_store.h"

namespace flowweaver {

class JsonStore : public StateStore {
 public:
  static constexpr int kFormatVersion = 1;

  explicit JsonStore(std::string path);

  std::optional<RunRecord> latest_run(const std::string& workflow) override;
  std::optional<RunRecord> find_run(const std::string& run_id) override;
  std::vector<RunRecord> list_runs(const std::string& workflow, size_t limit) override;
  void create_run(const RunRecord& run, const std::vector<TaskRecord>& tasks) override;
  void update_run(const RunRecord& run) override;
  std::vector<TaskRecord> load_tasks(const std::string& run_id) override;
  std::vector<AttemptRecord> load_attempts(const std::string& run_id) override;
  void apply(const std::string& run_id, const std::vector<TaskUpdate>& updates) override;
  void import_runs(const std::vector<StoredRun>& runs) override;
  std::string describe() const override { return path_; }

 private:
  nlohmann::json& run_json(nlohmann::json& doc, const std::string& run_id);
  // Writes `next` durably, then makes it current: a failed write leaves the state unchanged.
  void commit(nlohmann::json next);
  void save(const nlohmann::json& doc);

  std::string path_;
  nlohmann::json doc_;  // {"version": 1, "runs": [ {..., "tasks": {name: {...}}, "attempts": []} ]}
};

}  // namespace flowweaver
