// One line of a task attempt's log: `2026-12-05T03:04:05.678Z info message`, time in UTC, the
// message with control characters escaped (util/printable.h) so that one message stays one line
// and cannot rewrite the terminal of whoever follows the log.
//
// Every line written to a task log passes through format_task_log_line: the one place where a
// filter over message text (e.g. masking secrets) belongs.
#pragma once

#include <flowweaver/plugin.h>

#include <string>
#include <string_view>

#include "util/clock.h"

namespace flowweaver {

// debug, info, warn or error.
const char* log_level_name(fw_log_level level);

// The line, ending in '\n'.
std::string format_task_log_line(TimePoint time, fw_log_level level, std::string_view message);

}  // namespace flowweaver
