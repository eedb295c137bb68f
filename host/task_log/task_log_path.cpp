#include "task_log/task_log_path.h"

#include "util/error.h"
#include "util/printable.h"

namespace flowweaver {
namespace {

const std::string& checked(const std::string& part, const char* what) {
  if (!is_safe_path_part(part)) {
    throw Error::InvalidArgument(std::string(what) + " '" + printable(part) +
                                 "' cannot be part of a log file's path");
  }
  return part;
}

}  // namespace

bool is_safe_path_part(std::string_view part) {
  if (part.empty() || part == "." || part == "..") return false;
  return part.find('/') == std::string_view::npos && part.find('\0') == std::string_view::npos;
}

std::filesystem::path task_log_run_dir(const std::filesystem::path& log_root,
                                       const std::string& workflow, const std::string& run_id) {
  return log_root / checked(workflow, "workflow") / checked(run_id, "run id");
}

std::filesystem::path task_log_path(const std::filesystem::path& log_root,
                                    const std::string& workflow, const std::string& run_id,
                                    const std::string& task, int attempt) {
  return task_log_run_dir(log_root, workflow, run_id) /
         (checked(task, "task") + "." + std::to_string(attempt) + ".log");
}

}  // namespace flowweaver
