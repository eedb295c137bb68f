// When each workflow last succeeded (the end of its latest COMPLETED run), for the metric
// flowweaver_workflow_last_success_timestamp_seconds. Read from the workflow's state the first
// time it is asked for, so that a restart of the service does not reset it, and kept up to date
// by the runs that complete meanwhile. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "util/clock.h"

namespace flowweaver {

class LastSuccessBook {
 public:
  // Reads the end of the workflow's latest COMPLETED run from its state: nothing when it never
  // completed. May throw (the state cannot be read): then it is asked again next time.
  using StateReader = std::function<std::optional<TimePoint>(const std::string& workflow)>;

  explicit LastSuccessBook(StateReader read_state) : read_state_(std::move(read_state)) {}

  // When the last success ended; nothing when there was none (or the state cannot be read).
  std::optional<TimePoint> last(const std::string& workflow);
  // The same in Unix seconds; 0 for nothing.
  double seconds(const std::string& workflow);
  void record(const std::string& workflow, TimePoint finished);

 private:
  StateReader read_state_;
  std::mutex mutex_;
  std::map<std::string, std::optional<TimePoint>> known_;  // by workflow, once read
};

// Unix seconds, with the fraction.
double unix_seconds(TimePoint t);

}  // namespace flowweaver
