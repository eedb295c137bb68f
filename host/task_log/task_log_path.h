// Where a task attempt's log lives: `<log root>/<workflow>/<run id>/<task>.<attempt>.log`, beside
// the service's per-run log `<log root>/<workflow>/<run id>.log`. Workflow and task names are
// validated by the manifest reader ([A-Za-z0-9_-]) and run ids are generated, but a run id
// typed by an operator or sent over HTTP is not: every part is checked before it becomes a path.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace flowweaver {

// True when `part` names one entry of a directory: not empty, not "." or "..", no '/' or NUL.
bool is_safe_path_part(std::string_view part);

// The directory of one run's task logs. Throws Error::InvalidArgument naming the part that
// cannot be a file name.
std::filesystem::path task_log_run_dir(const std::filesystem::path& log_root,
                                       const std::string& workflow, const std::string& run_id);

// The log file of one attempt (attempts count from 1). Throws as task_log_run_dir.
std::filesystem::path task_log_path(const std::filesystem::path& log_root,
                                    const std::string& workflow, const std::string& run_id,
                                    const std::string& task, int attempt);

}  // namespace flowweaver
