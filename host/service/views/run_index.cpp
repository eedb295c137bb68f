#include "service/views/run_index.h"

namespace flowweaver {

void RunIndex::remember(const std::string& run_id, const std::string& workflow) {
  std::lock_guard<std::mutex> lock(mutex_);
  workflows_[run_id] = workflow;
}

void RunIndex::forget(const std::string& run_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  workflows_.erase(run_id);
}

std::optional<std::string> RunIndex::workflow_of(const std::string& run_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = workflows_.find(run_id);
  if (it == workflows_.end()) return std::nullopt;
  return it->second;
}

}  // namespace flowweaver
