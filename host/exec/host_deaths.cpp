#include "exec/host_deaths.h"

#include <string.h>

#include <map>

namespace flowweaver {
namespace {

// Stored in the error of an attempt the host crashed in; how count_host_crashes finds them.
constexpr std::string_view kCrashedPrefix = "interrupted: the host process crashed";
constexpr std::string_view kStopped = "interrupted: the host process stopped during this attempt";

bool crashed_the_host(const AttemptRecord& a) {
  return a.status == TaskStatus::kInterrupted && a.error.starts_with(kCrashedPrefix);
}

std::string signal_name(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return "signal " + std::to_string(signal) + (abbrev ? std::string(", SIG") + abbrev : "");
}

}  // namespace

std::unordered_map<std::string, int> count_host_crashes(
    const std::vector<AttemptRecord>& attempts) {
  std::unordered_map<std::string, int> crashes;
  for (const AttemptRecord& a : attempts) {
    if (crashed_the_host(a)) ++crashes[a.task_name];
  }
  return crashes;
}

std::string crashes_the_host_message() {
  return "the host process died " + std::to_string(kHostDeathLimit) +
         " times while this task was running; it probably crashes the host: run it with "
         "`isolation: process`";
}

HostDeathVerdict judge_host_death(const TaskRecord& left_running, std::optional<int> crash_signal,
                                  int earlier_crashes, TimePoint now) {
  HostDeathVerdict v;
  std::string error(kStopped);
  int crashes = earlier_crashes + (crash_signal ? 1 : 0);
  if (crash_signal) {
    error = std::string(kCrashedPrefix) + " (" + signal_name(*crash_signal) +
            ") while this task was running in it (" + std::to_string(crashes) + " of " +
            std::to_string(kHostDeathLimit) + ")";
  }
  v.attempt = {left_running.task_name,
               left_running.attempt,
               TaskStatus::kInterrupted,
               error,
               left_running.started_at.value_or(now),
               now};
  v.fail = crash_signal && crashes >= kHostDeathLimit;
  v.error = v.fail ? crashes_the_host_message() : error;
  return v;
}

std::vector<std::string> describe_host_deaths(const std::vector<AttemptRecord>& attempts) {
  std::map<std::string, std::pair<int, int>> deaths;  // task: crashes, other deaths
  for (const AttemptRecord& a : attempts) {
    if (a.status != TaskStatus::kInterrupted) continue;
    auto& [crashes, others] = deaths[a.task_name];
    ++(crashed_the_host(a) ? crashes : others);
  }
  std::vector<std::string> lines;
  for (const auto& [task, counts] : deaths) {
    if (counts.first > 0) {
      lines.push_back("interrupted: the host died while '" + task + "' was running (" +
                      std::to_string(counts.first) + " of " + std::to_string(kHostDeathLimit) +
                      ", crashed in its call)");
    }
    if (counts.second > 0) {
      lines.push_back("interrupted: the host stopped while '" + task + "' was running (" +
                      std::to_string(counts.second) +
                      " time(s), killed or powered off: not counted against it)");
    }
  }
  return lines;
}

}  // namespace flowweaver
