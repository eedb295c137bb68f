// A state store that keeps nothing: for tests and benchmarks of what sits on top of a store
// (derive and override what is watched), where a real store's cost or files would be in the way.
#pragma once

#include "state/state_store.h"

namespace flowweaver::testing {

class NullStore : public StateStore {
 public:
  std::optional<RunRecord> latest_run(const std::string&) override { return std::nullopt; }
  std::optional<RunRecord> find_run(const std::string&) override { return std::nullopt; }
  std::vector<RunRecord> list_runs(const std::string&, size_t) override { return {}; }
  void create_run(const RunRecord&, const std::vector<TaskRecord>&) override {}
  void update_run(const RunRecord&) override {}
  std::vector<TaskRecord> load_tasks(const std::string&) override { return {}; }
  std::vector<AttemptRecord> load_attempts(const std::string&) override { return {}; }
  void apply(const std::string&, const std::vector<TaskUpdate>&) override {}
  std::string describe() const override { return "null store"; }
};

}  // namespace flowweaver::testing
