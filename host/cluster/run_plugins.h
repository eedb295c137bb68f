// The plugin versions a run uses, pinned when it starts on a database state (run_plugins), so
// that a host whose copy of a plugin differs keeps out of that run: a half-finished rollout never
// runs two versions of a plugin in one run.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "state/postgres_connection.h"
#include "workflow.h"

namespace flowweaver {

// Plugin name -> SHA-256 (hex) of its file.
using PluginShas = std::map<std::string, std::string>;

struct PluginMismatch {
  std::string run_id;
  std::string plugin;
  std::string run_sha256;    // what the run pinned
  std::string local_sha256;  // this host's copy; empty: this host has no such plugin
};

// The plugins `workflow`'s tasks use, with the SHA-256 of the copy this host loaded.
PluginShas workflow_plugin_shas(const Workflow& workflow);

// Records `shas` as `run_id`'s pins; pins already recorded for the run (a resumed run) stay.
void record_run_plugins(PgConnection& db, const std::string& run_id, const PluginShas& shas);

// The pins of `run_id` that `local` (this host's plugins, by name) does not match, by plugin.
std::vector<PluginMismatch> plugin_mismatches(PgConnection& db, const std::string& run_id,
                                              const PluginShas& local);

}  // namespace flowweaver
