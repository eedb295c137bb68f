#include "path_waiter.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <flowweaver/sdk.hpp>
#include <stdexcept>
#include <string>

#include "os_error.h"

namespace flowweaver {
namespace {

using std::chrono::milliseconds;

std::string why_not_ready(const PathState& last) {
  if (!last.exists) return "it does not exist";
  return "it exists but was still changing (last seen " + std::to_string(last.size) + " bytes)";
}

}  // namespace

PathState stat_path(const std::filesystem::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return {};
    throw_os_error("cannot stat " + quoted(path.string()), errno);
  }
  return {true, static_cast<uint64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

WaitOutcome PathWaiter::wait(const std::filesystem::path& path, const WaitOptions& options) const {
  if (options.settle > options.timeout) {
    // The path must be watched unchanged for `settle`: the wait could never succeed.
    throw PermanentError(
        "parameter 'settle' (" + std::to_string(options.settle.count()) +
        "ms) is longer than 'timeout' (" + std::to_string(options.timeout.count()) +
        "ms), so the wait could never succeed: shorten settle or lengthen timeout");
  }
  SettleTracker tracker(options.settle);
  const Clock::time_point started = now_();
  const Clock::time_point deadline = started + options.timeout;
  while (true) {
    PathState seen = stat_path(path);
    Clock::time_point now = now_();
    std::optional<milliseconds> left = tracker.observe(seen, now);
    if (left && left->count() == 0) {
      return {seen, std::chrono::duration_cast<milliseconds>(now - started)};
    }
    if (now >= deadline) {
      throw std::runtime_error("timed out after " + std::to_string(options.timeout.count()) +
                               "ms waiting for " + quoted(path.string()) + ": " +
                               why_not_ready(seen));
    }
    milliseconds pause =
        std::min(options.poll_interval, std::chrono::duration_cast<milliseconds>(deadline - now));
    if (left) pause = std::min(pause, *left);
    if (!sleep_(std::max(pause, milliseconds(1)))) {
      throw std::runtime_error("cancelled while waiting for " + quoted(path.string()));
    }
  }
}

}  // namespace flowweaver
