#include "exec/in_process_runner.h"

#include <algorithm>
#include <filesystem>

#include "exec/abi_call.h"
#include "exec/crash_marker.h"
#include "manifest/template.h"

namespace flowweaver {

InProcessRunner::InProcessRunner(const Manifest& manifest, std::vector<TaskTypeRef> types,
                                 nlohmann::json params, EnvLookup env, TaskLogSink log,
                                 std::map<std::string, std::string> secrets)
    : manifest_(manifest),
      types_(std::move(types)),
      params_(std::move(params)),
      env_(std::move(env)),
      log_(std::move(log)),
      secrets_(std::move(secrets)),
      index_(index_tasks(manifest)) {
  manifest_dir_ = manifest_directory(manifest.file);
}

TemplateScope InProcessRunner::scope_for(
    const OutputTable& outputs, std::unordered_map<std::string, nlohmann::json>* cache) const {
  TemplateScope scope;
  scope.params = &params_;
  scope.manifest_dir = manifest_dir_;
  scope.run = run_.get();
  scope.env = env_;
  scope.secret = [this](const std::string& name) -> std::optional<std::string> {
    auto it = secrets_.find(name);
    if (it == secrets_.end()) return std::nullopt;
    return it->second;
  };
  scope.task_output = [this, &outputs, cache](const std::string& name) -> const nlohmann::json* {
    auto it = cache->find(name);
    if (it == cache->end()) {
      auto idx = index_.find(name);
      if (idx == index_.end()) return nullptr;
      const std::string& text = outputs[idx->second];
      it =
          cache->emplace(name, text.empty() ? nlohmann::json(nullptr) : nlohmann::json::parse(text))
              .first;
    }
    return &it->second;
  };
  return scope;
}

nlohmann::json InProcessRunner::resolve_foreach(uint32_t task, const OutputTable& outputs) const {
  const FanOut& fan_out = *manifest_.tasks[task].fan_out;
  std::unordered_map<std::string, nlohmann::json> parsed;
  return resolve_templates(fan_out.items, scope_for(outputs, &parsed));
}

nlohmann::json InProcessRunner::resolve_params(uint32_t task, const TaskItem* item,
                                               const OutputTable& outputs) const {
  const TaskSpec& spec = manifest_.tasks[task];
  std::unordered_map<std::string, nlohmann::json> parsed;  // upstream outputs, parsed on demand
  TemplateScope scope = scope_for(outputs, &parsed);
  if (item) {
    if (!item->value.is_null() || item->matrix.is_null()) {
      scope.item = &item->value;
      scope.item_index = item->index;
    }
    if (!item->matrix.is_null()) scope.matrix = &item->matrix;
  }
  nlohmann::json with = resolve_templates(spec.with, scope);
  if (!types_[task].type) return with;  // the host's own type: it declares no params
  const TaskTypeInfo& type = *types_[task].type;
  for (const ParamDecl& decl : type.params) {
    if (!with.contains(decl.name)) {
      if (decl.default_value) with[decl.name] = *decl.default_value;
      continue;
    }
    if (!value_has_type(with[decl.name], decl.type)) {
      throw std::runtime_error("parameter '" + decl.name + "' must be " + decl.type + ", but is " +
                               with[decl.name].dump());
    }
  }
  return with;
}

AttemptOutcome InProcessRunner::run(uint32_t task, int attempt, const TaskItem* item,
                                    Cancellation& cancellation, const OutputTable& outputs) {
  const TaskSpec& spec = manifest_.tasks[task];
  AbiCall call;
  try {
    call.params_json = resolve_params(task, item, outputs).dump();
  } catch (const std::exception& e) {
    // The inputs will not change on a retry.
    return {AttemptOutcome::Kind::kPermanent, "", e.what()};
  }
  call.type = types_[task].type;
  call.task_name = item ? item->name : spec.name;
  call.label = spec.uses + " (plugin " + types_[task].plugin->path().filename().string() + ")";
  call.plugin = types_[task].plugin->name();
  call.task_type = call.plugin + "." + call.type->name;
  call.attempt = attempt;
  call.cancellation = &cancellation;
  call.input = [&](const char* upstream) -> const std::string* {
    const std::vector<std::string>& deps = spec.depends_on;
    if (std::find(deps.begin(), deps.end(), upstream) == deps.end()) return nullptr;
    return &outputs[index_.at(upstream)];
  };
  call.log = [&](fw_log_level level, std::string_view message) {
    if (log_) log_(task, item, attempt, level, message);
  };
  if (crash_marker_.empty()) return call_task_type(call);
  std::string crash = crash_line(run_id_, call.task_name, attempt);
  CrashScope scope(crash_marker_, crash);
  return call_task_type(call);
}

void InProcessRunner::mark_crashes_in(std::string path, std::string run_id) {
  crash_marker_ = std::move(path);
  run_id_ = std::move(run_id);
}

}  // namespace flowweaver
