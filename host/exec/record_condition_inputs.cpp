#include "exec/record_condition_inputs.h"

#include <memory>
#include <unordered_map>

namespace flowweaver {

ConditionInputs record_condition_inputs(const TaskIndex& index,
                                        const std::vector<TaskRecord>& records,
                                        const nlohmann::json* params, std::string run_id) {
  auto find = [&index, &records](const std::string& name) -> const TaskRecord* {
    uint32_t t = index.find(name);
    return t < records.size() ? &records[t] : nullptr;
  };
  // An output does not change once its task completed: parse it once.
  auto parsed = std::make_shared<std::unordered_map<uint32_t, nlohmann::json>>();
  ConditionInputs inputs;
  inputs.params = params;
  inputs.run_id = std::move(run_id);
  inputs.task_status = [find](const std::string& name) -> std::optional<std::string> {
    const TaskRecord* r = find(name);
    if (r == nullptr) return std::nullopt;
    return to_string(r->status);
  };
  inputs.task_output = [find, parsed, &index](const std::string& name) -> const nlohmann::json* {
    const TaskRecord* r = find(name);
    if (r == nullptr || r->status != TaskStatus::kCompleted || r->result.empty()) return nullptr;
    uint32_t t = index.find(name);
    auto it = parsed->find(t);
    if (it == parsed->end()) {
      nlohmann::json value = nlohmann::json::parse(r->result, nullptr, /*allow_exceptions=*/false);
      it = parsed->emplace(t, std::move(value)).first;
    }
    return it->second.is_discarded() ? nullptr : &it->second;
  };
  return inputs;
}

}  // namespace flowweaver
