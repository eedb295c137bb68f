// The plugins in service as GET /api/plugins shows them: name, version, file, SHA-256, and per
// task type its description, its declared parameters (fw_param in flowweaver/plugin.h) and
// whether it accepts keys beyond them.
#pragma once

#include <nlohmann/json.hpp>

#include "plugin/plugin_registry.h"

namespace flowweaver {

// An empty list when `registry` is null (the service has not started).
nlohmann::json plugins_view(const PluginRegistry* registry);

}  // namespace flowweaver
