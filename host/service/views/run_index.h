// Which served workflow's state holds a run: the API looks a run up by its id alone, and without
// this it would open every workflow's state to find it. Filled when the service starts a run,
// when runs are listed, and by the one scan that finds a run missing from it. Only a hint: a
// restored state file may no longer hold a run, so a reader checks the store it names.
// Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace flowweaver {

class RunIndex {
 public:
  void remember(const std::string& run_id, const std::string& workflow);
  void forget(const std::string& run_id);
  std::optional<std::string> workflow_of(const std::string& run_id) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> workflows_;  // by run id; guarded by mutex_
};

}  // namespace flowweaver
