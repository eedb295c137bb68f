// How every log line of ours looks: `2026-11-26T04:22:57.123 info message`, with control
// characters in the message escaped (util/printable.h), since messages carry workflow and task
// names, errors and plugin output: one log line stays one line.
#pragma once

#include <spdlog/formatter.h>

#include <memory>

namespace flowweaver {

std::unique_ptr<spdlog::formatter> make_log_formatter();

}  // namespace flowweaver
