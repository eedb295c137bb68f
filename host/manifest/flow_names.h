// The names the manifest gives trigger rules and task roles, both ways: the reader parses
// them, `plan`, `graph` and error messages print them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/manifest.h"

namespace flowweaver {

// "all_success", "one_failed", ...: the value of `trigger_rule:`.
std::string trigger_rule_name(TriggerRule rule);
std::optional<TriggerRule> parse_trigger_rule(std::string_view name);
// Every rule's name, the default first.
const std::vector<std::string>& trigger_rule_names();

// "on_failure" or "on_exit": the top-level list a handler is in; "tasks" for a task.
std::string task_role_list(TaskRole role);
// "task 'load'", "on_failure handler 'alert'": a task or handler as messages name it.
std::string describe_task(const TaskSpec& task);

}  // namespace flowweaver
