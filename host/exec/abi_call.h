// One call of a task type through the plugin C ABI: the host callbacks a call may use, and what
// comes back turned into an AttemptOutcome. Shared by the in-process runner and the task process
// of `isolation: process`.
#pragma once

#include <flowweaver/plugin.h>

#include <functional>
#include <string>
#include <string_view>

#include "exec/cancellation.h"
#include "exec/task_runner.h"
#include "plugin/loaded_plugin.h"

namespace flowweaver {

struct AbiCall {
  const TaskTypeInfo* type = nullptr;
  std::string task_name;
  std::string label;      // names the task type and plugin in messages
  std::string plugin;     // the plugin's name, e.g. "etl"
  std::string task_type;  // qualified, as in `uses:`, e.g. "etl.extract"
  int attempt = 1;
  std::string params_json;
  Cancellation* cancellation = nullptr;
  // An upstream's output JSON, or null when `upstream` is not one of the task's upstreams.
  std::function<const std::string*(const char* upstream)> input;
  std::function<void(fw_log_level, std::string_view)> log;
};

// Never throws: a plugin's failure, bad output or escaping exception is an outcome.
AttemptOutcome call_task_type(const AbiCall& call);

}  // namespace flowweaver
