// What becomes of an attempt that was running when its host process died. Such an attempt is
// recorded INTERRUPTED, not FAILED, and consumes no retry: a kill -9 or a power cut is not the
// task's fault. But when the host crashed in the task's own call (exec/crash_marker.h), the
// task probably crashes it: after kHostDeathLimit such crashes the task is FAILED, so that its
// dependents are skipped and everything else goes on, instead of a service that resumes the run
// at every start crashing again and again.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "state/state_store.h"

namespace flowweaver {

constexpr int kHostDeathLimit = 3;

// Per task name: how many of `attempts` the host crashed in.
std::unordered_map<std::string, int> count_host_crashes(const std::vector<AttemptRecord>& attempts);

struct HostDeathVerdict {
  AttemptRecord attempt;  // INTERRUPTED
  bool fail = false;      // the task is FAILED; else it runs again
  std::string error;      // for the task's row
};

// `left_running` is a task row left RUNNING by a process that died: of `crash_signal` in this
// task's call, or of something else (none). `earlier_crashes` counts the earlier attempts of the
// run that crashed the host.
HostDeathVerdict judge_host_death(const TaskRecord& left_running, std::optional<int> crash_signal,
                                  int earlier_crashes, TimePoint now);

// For `status`: one line per task the host died during, in name order, e.g.
// "interrupted: the host died while 'load' was running (1 of 3)".
std::vector<std::string> describe_host_deaths(const std::vector<AttemptRecord>& attempts);

// The error of a task failed for crashing its host kHostDeathLimit times.
std::string crashes_the_host_message();

}  // namespace flowweaver
