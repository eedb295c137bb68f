#include "service/views/plugin_views.h"

namespace flowweaver {

namespace {

using nlohmann::json;

json param_json(const ParamDecl& param) {
  return {{"name", param.name},
          {"type", param.type},
          {"required", param.required},
          {"default", param.default_value ? *param.default_value : json(nullptr)},
          {"description", param.description}};
}

json task_type_json(const TaskTypeInfo& type) {
  json params = json::array();
  for (const ParamDecl& param : type.params) params.push_back(param_json(param));
  return {{"name", type.name},
          {"description", type.description},
          {"params", std::move(params)},
          {"accepts_other_keys", type.open_params}};
}

}  // namespace

json plugins_view(const PluginRegistry* registry) {
  json out = json::array();
  if (!registry) return out;
  for (const auto& plugin : registry->plugins()) {
    json details = json::array();
    for (const TaskTypeInfo& type : plugin->task_types()) details.push_back(task_type_json(type));
    out.push_back({{"name", plugin->name()},
                   {"version", plugin->version()},
                   {"file", plugin->path().string()},
                   {"sha256", plugin->sha256()},
                   {"task_types", plugin->task_type_names()},
                   {"task_type_details", std::move(details)}});
  }
  return out;
}

}  // namespace flowweaver
