#include "cluster/run_plugins.h"

namespace flowweaver {

PluginShas workflow_plugin_shas(const Workflow& workflow) {
  PluginShas shas;
  for (const TaskTypeRef& type : workflow.task_types) {
    if (type.plugin && !type.plugin->sha256().empty()) {
      shas[type.plugin->name()] = type.plugin->sha256();
    }
  }
  return shas;
}

void record_run_plugins(PgConnection& db, const std::string& run_id, const PluginShas& shas) {
  std::vector<std::vector<PgParam>> rows;
  for (const auto& [plugin, sha] : shas) rows.push_back({run_id, plugin, sha});
  db.exec_each("recording the run's plugin versions",
               "INSERT INTO run_plugins (run_id, plugin, sha256) VALUES ($1, $2, $3) "
               "ON CONFLICT (run_id, plugin) DO NOTHING",
               rows);
}

std::vector<PluginMismatch> plugin_mismatches(PgConnection& db, const std::string& run_id,
                                              const PluginShas& local) {
  PgResult r =
      db.exec("reading the run's plugin versions",
              "SELECT plugin, sha256 FROM run_plugins WHERE run_id = $1 ORDER BY plugin", {run_id});
  std::vector<PluginMismatch> mismatches;
  for (int row = 0; row < r.rows(); ++row) {
    std::string plugin = r.text(row, 0), pinned = r.text(row, 1);
    auto mine = local.find(plugin);
    std::string local_sha = mine == local.end() ? "" : mine->second;
    if (local_sha != pinned) mismatches.push_back({run_id, plugin, pinned, local_sha});
  }
  return mismatches;
}

}  // namespace flowweaver
