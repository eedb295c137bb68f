// file.wait_for's loop: polls a path until it has settled (settle_tracker.h), the timeout
// passes, or the task is cancelled. The clock and the sleep come from outside, so tests can
// drive it without waiting.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>

#include "settle_tracker.h"

namespace flowweaver {

struct WaitOptions {
  std::chrono::milliseconds settle{0};
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds poll_interval{0};
};

struct WaitOutcome {
  PathState state;  // what the path looked like when it settled
  std::chrono::milliseconds waited{0};
};

// What stat(2) says of `path` (following links). A missing path, or one under something that
// is not a directory, does not exist; other errors (e.g. EACCES) throw as os_error.h classifies.
PathState stat_path(const std::filesystem::path& path);

class PathWaiter {
 public:
  using Clock = SettleTracker::Clock;
  using Now = std::function<Clock::time_point()>;
  // Sleeps up to the duration; false when the task was cancelled meanwhile.
  using Sleep = std::function<bool(std::chrono::milliseconds)>;

  PathWaiter(Now now, Sleep sleep) : now_(std::move(now)), sleep_(std::move(sleep)) {}

  // Waits as described above. Throws std::runtime_error (retryable) when the timeout passes,
  // saying whether the path was missing or still changing, and when cancelled; PermanentError
  // when `settle` is longer than `timeout`.
  WaitOutcome wait(const std::filesystem::path& path, const WaitOptions& options) const;

 private:
  Now now_;
  Sleep sleep_;
};

}  // namespace flowweaver
