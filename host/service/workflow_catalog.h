// The service's workflows: every manifest in the workflows directory, validated against the
// plugins in service. Reloaded on demand; a manifest that no longer validates is refused with a
// logged error while the version in service before, if any, stays in service.
#pragma once

#include <spdlog/logger.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cron/cron.h"
#include "workflow.h"

namespace flowweaver {

struct ServedWorkflow {
  std::shared_ptr<const Workflow> workflow;  // a run holds this: its plugins stay loaded
  std::filesystem::path file;
  std::optional<CronSchedule> schedule;
};

class WorkflowCatalog {
 public:
  // Tasks whose manifest does not choose their isolation get `default_isolation`.
  WorkflowCatalog(std::filesystem::path dir, Isolation default_isolation,
                  std::shared_ptr<spdlog::logger> log);

  // The pools the service declares (`pools:` in `config_file`): a manifest naming another one is
  // refused. Call before the first refresh. Default: none.
  void declare_pools(std::map<std::string, int> pools, std::string config_file);

  // Rereads manifests that are new or changed, or all of them when `plugins` differ from the set
  // they were last validated against; drops workflows whose file is gone.
  void refresh(const std::shared_ptr<const PluginRegistry>& plugins);

  std::optional<ServedWorkflow> find(const std::string& name) const;
  std::vector<ServedWorkflow> list() const;  // by name
  // Files in the directory that are not in service, with why (for /health and /api/workflows).
  std::map<std::filesystem::path, std::string> refused() const;

 private:
  struct FileState {
    std::string content_hash;   // of the bytes last read
    std::string workflow_name;  // in service from this file, or empty
  };

  void load_file(const std::filesystem::path& file, const std::string& text,
                 const std::shared_ptr<const PluginRegistry>& plugins);

  std::filesystem::path dir_;
  Isolation default_isolation_;
  std::map<std::string, int> pools_;
  std::string pools_declared_in_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<const PluginRegistry> validated_against_;
  std::map<std::filesystem::path, FileState> files_;

  mutable std::mutex mutex_;  // guards what HTTP threads read
  std::map<std::string, ServedWorkflow> workflows_;
  std::map<std::filesystem::path, std::string> refused_;
};

}  // namespace flowweaver
