// When a path being written by someone else counts as done: it exists, and its size and
// modification time have not changed for a settle period. Pure: fed what stat saw and when.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace flowweaver {

struct PathState {
  bool exists = false;
  uint64_t size = 0;
  int64_t mtime_ns = 0;

  bool operator==(const PathState&) const = default;
};

class SettleTracker {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SettleTracker(std::chrono::milliseconds settle) : settle_(settle) {}

  // Records what the path looked like at `now`. Returns how much longer it must stay as it is to
  // count as settled: zero once it has, nothing while it does not exist. Any change of size or
  // mtime, or a disappearance, starts the settle period again.
  std::optional<std::chrono::milliseconds> observe(const PathState& seen, Clock::time_point now);

 private:
  std::chrono::milliseconds settle_;
  PathState last_;
  Clock::time_point unchanged_since_;
};

}  // namespace flowweaver
