// Finding and reading a task attempt's log (task_log_files.h writes them): what `flowweaver logs`
// and the service's log endpoint share. The state says which run, attempt and whether the
// attempt is over; the file holds the lines.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "state/state_store.h"

namespace flowweaver {

struct TaskLogLocation {
  RunRecord run;
  TaskRecord task;  // the task's row in that run, as read
  int attempt = 0;
  std::filesystem::path path;
};

// The log of `task`'s `attempt` (its latest when not given) in run `run_id` (the workflow's
// latest when empty). Throws Error::NotFound, saying what is missing and what there is instead,
// for: no such run (or one of another workflow), no task of that name in the run (with the
// nearest name), a task that has not started, an attempt it has not made. The attempt after the
// task row's counts as made when its file exists: the row of a starting attempt reaches the
// state a little after the file is created. Whether the chosen attempt's file exists is not
// checked.
TaskLogLocation locate_task_log(StateStore& store, const std::filesystem::path& log_root,
                                const std::string& workflow, const std::string& run_id,
                                const std::string& task, std::optional<int> attempt);

// Whether attempt `attempt` is over according to the task's row: the row moved on to a later
// attempt, or shows this attempt no longer RUNNING (a row still at an earlier attempt has not
// caught up yet: not over). Its log then grows no more (but for a call that ignored
// cancellation, which may add a line later).
bool attempt_is_over(const TaskRecord& row, int attempt);

// The bytes of the file from `offset` on, at most max_bytes of them; nothing when the file does
// not exist. Throws Error::IO when it exists but cannot be read.
struct LogBytes {
  std::string bytes;
  uint64_t next_offset = 0;  // offset + bytes.size()
};
std::optional<LogBytes> read_log_bytes(const std::filesystem::path& path, uint64_t offset,
                                       size_t max_bytes);

// Whether an attempt whose file is missing logged nothing: its run's directory exists (it is
// created when the run starts). Otherwise the attempt ran without task logs (before they
// existed, with them off, or into another log directory).
bool logged_nothing(const TaskLogLocation& where);

// The error for an attempt whose file is missing, naming the file and the likely reasons.
std::string missing_log_message(const TaskLogLocation& where);

}  // namespace flowweaver
