#include "exec/manifest_conditions.h"

#include <algorithm>
#include <memory>

#include "exec/record_condition_inputs.h"
#include "exec/task_condition.h"
#include "manifest/task_index.h"

namespace flowweaver {

ConditionCheck manifest_conditions(const Manifest& manifest, const nlohmann::json& params,
                                   std::string run_id) {
  bool any = std::any_of(manifest.tasks.begin(), manifest.tasks.end(),
                         [](const TaskSpec& t) { return t.condition != nullptr; });
  if (!any) return nullptr;  // no hook: the scheduler asks nothing
  auto index = std::make_shared<const TaskIndex>(manifest.tasks);
  return [&manifest, &params, index, run_id = std::move(run_id)](
             uint32_t task, const std::vector<TaskRecord>& records) -> ConditionVerdict {
    const TaskSpec& spec = manifest.tasks[task];
    if (!spec.condition) return {};
    return check_condition(*spec.condition,
                           record_condition_inputs(*index, records, &params, run_id));
  };
}

}  // namespace flowweaver
