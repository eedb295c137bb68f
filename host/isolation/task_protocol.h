// What the host and a task process (task_process_main.cpp) say to each other, as JSON text: the
// host writes one request to the child's stdin; the child writes one message per line to
// file descriptor 3 (its stdout and stderr stay the plugin's own): log lines, then one result.
#pragma once

#include <flowweaver/plugin.h>

#include <map>
#include <optional>
#include <string>

#include "exec/task_runner.h"

namespace flowweaver {

constexpr int kTaskProtocolFd = 3;

struct TaskRequest {
  std::string task_name;
  int attempt = 1;
  std::string params_json;                    // the resolved `with:` object
  std::map<std::string, std::string> inputs;  // upstream task -> its output JSON
};

std::string encode_request(const TaskRequest& request);
// Throws std::runtime_error on a malformed request.
TaskRequest decode_request(const std::string& text);

// One line each (newline included).
std::string encode_log_line(fw_log_level level, const std::string& message);
std::string encode_result_line(const AttemptOutcome& outcome);

// A line read back: a log message, or the result.
struct TaskMessage {
  std::optional<std::pair<fw_log_level, std::string>> log;
  std::optional<AttemptOutcome> result;
};
// Nothing for a line that is not a message of this protocol.
std::optional<TaskMessage> decode_message_line(const std::string& line);

}  // namespace flowweaver
