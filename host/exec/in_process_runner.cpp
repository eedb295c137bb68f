#include "exec/in_process_runner.h"

#include <algorithm>
#include <filesystem>

#include "manifest/template.h"

namespace flowweaver {
namespace {

// What the host callbacks of one call reach through host_data.
struct CallState {
  uint32_t task;
  int attempt;
  Cancellation* cancellation;
  const TaskSpec* spec;
  const std::unordered_map<std::string, uint32_t>* index;
  const OutputTable* outputs;
  const TaskLogSink* log;
  std::string output, error;
  bool output_set = false;
};

CallState& state_of(void* host_data) { return *static_cast<CallState*>(host_data); }

void host_log(void* data, fw_log_level level, const char* message, size_t len) {
  CallState& s = state_of(data);
  if (*s.log) (*s.log)(s.task, s.attempt, level, std::string_view(message, len));
}

int host_is_cancelled(void* data) { return state_of(data).cancellation->cancelled() ? 1 : 0; }

int host_wait_cancelled(void* data, uint64_t timeout_ms) {
  return state_of(data).cancellation->wait_for(Millis(timeout_ms)) ? 1 : 0;
}

const char* host_input(void* data, const char* upstream, size_t* len) {
  CallState& s = state_of(data);
  if (upstream == nullptr) return nullptr;
  const std::vector<std::string>& deps = s.spec->depends_on;
  if (std::find(deps.begin(), deps.end(), upstream) == deps.end()) return nullptr;
  const std::string& text = (*s.outputs)[s.index->at(upstream)];
  if (len) *len = text.size();
  return text.c_str();
}

void host_set_output(void* data, const char* json, size_t len) {
  CallState& s = state_of(data);
  s.output.assign(json ? json : "", json ? len : 0);
  s.output_set = true;
}

void host_set_error(void* data, const char* message, size_t len) {
  state_of(data).error.assign(message ? message : "", message ? len : 0);
}

AttemptOutcome failure(AttemptOutcome::Kind kind, std::string error) {
  return {kind, "", std::move(error)};
}

}  // namespace

InProcessRunner::InProcessRunner(const Manifest& manifest, std::vector<TaskTypeRef> types,
                                 nlohmann::json params, EnvLookup env, TaskLogSink log)
    : manifest_(manifest),
      types_(std::move(types)),
      params_(std::move(params)),
      env_(std::move(env)),
      log_(std::move(log)),
      index_(index_tasks(manifest)) {
  manifest_dir_ = manifest_directory(manifest.file);
}

nlohmann::json InProcessRunner::resolve_params(uint32_t task, const OutputTable& outputs) const {
  const TaskSpec& spec = manifest_.tasks[task];
  std::unordered_map<std::string, nlohmann::json> parsed;  // upstream outputs, parsed on demand
  TemplateScope scope;
  scope.params = &params_;
  scope.manifest_dir = manifest_dir_;
  scope.env = env_;
  scope.task_output = [&](const std::string& name) -> const nlohmann::json* {
    auto it = parsed.find(name);
    if (it == parsed.end()) {
      auto idx = index_.find(name);
      if (idx == index_.end()) return nullptr;
      const std::string& text = outputs[idx->second];
      it =
          parsed.emplace(name, text.empty() ? nlohmann::json(nullptr) : nlohmann::json::parse(text))
              .first;
    }
    return &it->second;
  };
  nlohmann::json with = resolve_templates(spec.with, scope);
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

AttemptOutcome InProcessRunner::run(uint32_t task, int attempt, Cancellation& cancellation,
                                    const OutputTable& outputs) {
  const TaskSpec& spec = manifest_.tasks[task];
  std::string params_json;
  try {
    params_json = resolve_params(task, outputs).dump();
  } catch (const std::exception& e) {
    // The inputs will not change on a retry.
    return failure(AttemptOutcome::Kind::kPermanent, e.what());
  }
  CallState state{task, attempt, &cancellation, &spec, &index_, &outputs, &log_, {}, {}, false};
  fw_host host{sizeof(fw_host),     &state,     host_log,        host_is_cancelled,
               host_wait_cancelled, host_input, host_set_output, host_set_error};
  fw_call call{sizeof(fw_call),
               spec.name.c_str(),
               params_json.c_str(),
               params_json.size(),
               static_cast<uint32_t>(attempt),
               &host};
  const TaskTypeInfo& type = *types_[task].type;
  fw_outcome outcome;
  try {
    outcome = type.run(type.task_data, &call);
  } catch (...) {
    // The ABI forbids this; a plugin built without the SDK's trampolines may still do it.
    return failure(AttemptOutcome::Kind::kPermanent,
                   spec.uses + " let an exception escape the plugin boundary");
  }
  switch (outcome) {
    case FW_OUTCOME_OK:
      if (!state.output_set) return {AttemptOutcome::Kind::kOk, "null", ""};
      if (!nlohmann::json::accept(state.output)) {
        return failure(AttemptOutcome::Kind::kRetryable,
                       spec.uses + " (plugin " + types_[task].plugin->path().filename().string() +
                           ") returned invalid JSON as its output");
      }
      return {AttemptOutcome::Kind::kOk, std::move(state.output), ""};
    case FW_OUTCOME_PERMANENT:
      return failure(AttemptOutcome::Kind::kPermanent,
                     state.error.empty() ? "failed (no message)" : state.error);
    case FW_OUTCOME_RETRYABLE:
      return failure(AttemptOutcome::Kind::kRetryable,
                     state.error.empty() ? "failed (no message)" : state.error);
    default:
      break;
  }
  return failure(AttemptOutcome::Kind::kPermanent,
                 "plugin returned an unknown outcome " + std::to_string(static_cast<int>(outcome)));
}

}  // namespace flowweaver
