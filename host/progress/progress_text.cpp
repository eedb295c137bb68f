#include "progress/progress_text.h"

#include "util/time_format.h"

namespace flowweaver {
namespace {

// Whole seconds are enough for a display refreshed a few times a second.
std::string coarse_duration(Millis d) {
  return format_duration_spec(std::chrono::duration_cast<std::chrono::seconds>(d));
}

}  // namespace

std::string eta_text(const ProgressCounts& counts, Millis elapsed) {
  if (counts.done == 0 || counts.done > counts.total) return "-";
  Millis per_task = elapsed / static_cast<int64_t>(counts.done);
  return coarse_duration(per_task * static_cast<int64_t>(counts.total - counts.done));
}

std::string progress_text(const ProgressCounts& counts, Millis elapsed) {
  return std::to_string(counts.done) + "/" + std::to_string(counts.total) + " done, " +
         std::to_string(counts.running) + " running, " + std::to_string(counts.failed) +
         " failed, " + coarse_duration(elapsed) + " elapsed, ETA " + eta_text(counts, elapsed);
}

}  // namespace flowweaver
