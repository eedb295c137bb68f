// The progress line's wording, shared by `flowweaver run` and `status --watch`:
// `12/40 done, 3 running, 1 failed, 42s elapsed, ETA 1m10s` (ETA "-" until a task is done).
#pragma once

#include <cstddef>
#include <string>

#include "util/clock.h"

namespace flowweaver {

struct ProgressCounts {
  size_t total = 0;
  size_t done = 0;  // in a final status: completed, failed for good, or skipped
  size_t running = 0;
  size_t failed = 0;  // failed for good (no retry left)
};

// The time left at the pace so far: elapsed per done task, times the tasks not done.
std::string eta_text(const ProgressCounts& counts, Millis elapsed);

std::string progress_text(const ProgressCounts& counts, Millis elapsed);

}  // namespace flowweaver
