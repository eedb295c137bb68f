#include "task_log/task_log_line.h"

#include "util/printable.h"
#include "util/time_format.h"

namespace flowweaver {

const char* log_level_name(fw_log_level level) {
  switch (level) {
    case FW_LOG_DEBUG:
      return "debug";
    case FW_LOG_WARN:
      return "warn";
    case FW_LOG_ERROR:
      return "error";
    default:
      return "info";
  }
}

std::string format_task_log_line(TimePoint time, fw_log_level level, std::string_view message) {
  return format_timestamp(time) + " " + log_level_name(level) + " " + printable(message) + "\n";
}

}  // namespace flowweaver
