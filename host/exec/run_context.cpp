#include "exec/run_context.h"

#include "util/time_format.h"

namespace flowweaver {

RunContext::RunContext(std::string run_id, TimePoint started_at, std::string workflow,
                       nlohmann::json params)
    : run_id_(std::move(run_id)),
      workflow_(std::move(workflow)),
      started_at_(format_timestamp(started_at)),
      params_(std::move(params)) {}

void RunContext::set_outcome(std::string status, std::vector<std::string> failed_tasks) {
  std::lock_guard<std::mutex> lock(mutex_);
  status_ = std::move(status);
  failed_tasks_ = std::move(failed_tasks);
}

std::string RunContext::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

std::vector<std::string> RunContext::failed_tasks() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failed_tasks_;
}

}  // namespace flowweaver
