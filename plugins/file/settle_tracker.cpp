#include "settle_tracker.h"

namespace flowweaver {

std::optional<std::chrono::milliseconds> SettleTracker::observe(const PathState& seen,
                                                                Clock::time_point now) {
  if (!seen.exists) {
    last_ = seen;
    return std::nullopt;
  }
  if (seen != last_) {
    last_ = seen;
    unchanged_since_ = now;
  }
  auto unchanged_for =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - unchanged_since_);
  return unchanged_for >= settle_ ? std::chrono::milliseconds(0) : settle_ - unchanged_for;
}

}  // namespace flowweaver
