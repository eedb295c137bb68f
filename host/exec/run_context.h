// What a run's tasks may know of the run itself: its parameters, ${run.id}, ${run.started_at},
// ${workflow.name}, and ${run.status} / ${run.failed_tasks}, which the scheduler sets once the
// DAG's tasks have ended, before the handlers (on_failure, on_exit) start.
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/clock.h"

namespace flowweaver {

// Thread-safe: workers read it while the scheduler sets the outcome.
class RunContext {
 public:
  // `params`: the run's parameters, as stored with it (run_params.h).
  RunContext(std::string run_id, TimePoint started_at, std::string workflow,
             nlohmann::json params = nlohmann::json::object());

  const std::string& run_id() const { return run_id_; }
  // Fixed for the run's life: what ${params.NAME} and a condition's params.NAME read.
  const nlohmann::json& params() const { return params_; }
  const std::string& workflow() const { return workflow_; }
  // ISO 8601 UTC, as the host prints times everywhere (util/time_format.h).
  const std::string& started_at() const { return started_at_; }

  // Until set: "running" and no failed tasks.
  void set_outcome(std::string status, std::vector<std::string> failed_tasks);
  std::string status() const;
  std::vector<std::string> failed_tasks() const;

 private:
  const std::string run_id_, workflow_, started_at_;
  const nlohmann::json params_;
  mutable std::mutex mutex_;
  std::string status_ = "running";
  std::vector<std::string> failed_tasks_;
};

}  // namespace flowweaver
