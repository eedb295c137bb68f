#include "manifest/flow_names.h"

#include <array>
#include <utility>

namespace flowweaver {
namespace {

// In the order of the enum, so a rule's position is its index.
constexpr std::array<std::pair<TriggerRule, std::string_view>, 6> kRules = {{
    {TriggerRule::kAllSuccess, "all_success"},
    {TriggerRule::kAllDone, "all_done"},
    {TriggerRule::kAllFailed, "all_failed"},
    {TriggerRule::kOneSuccess, "one_success"},
    {TriggerRule::kOneFailed, "one_failed"},
    {TriggerRule::kNoneFailed, "none_failed"},
}};

}  // namespace

std::string trigger_rule_name(TriggerRule rule) {
  for (const auto& [value, name] : kRules) {
    if (value == rule) return std::string(name);
  }
  return "unknown";
}

std::optional<TriggerRule> parse_trigger_rule(std::string_view name) {
  for (const auto& [value, known] : kRules) {
    if (known == name) return value;
  }
  return std::nullopt;
}

const std::vector<std::string>& trigger_rule_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& rule : kRules) out.emplace_back(rule.second);
    return out;
  }();
  return names;
}

std::string task_role_list(TaskRole role) {
  switch (role) {
    case TaskRole::kTask:
      return "tasks";
    case TaskRole::kOnFailure:
      return "on_failure";
    case TaskRole::kOnExit:
      return "on_exit";
  }
  return "tasks";
}

std::string describe_task(const TaskSpec& task) {
  if (task.role == TaskRole::kTask) return "task '" + task.name + "'";
  return task_role_list(task.role) + " handler '" + task.name + "'";
}

}  // namespace flowweaver
