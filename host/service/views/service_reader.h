// What the JSON views (workflow_views.h, run_views.h, plugin_views.h) read of the service:
// what it holds in memory and its workflows' state, read-only. Service implements it; the views
// depend on nothing else of it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plugin/plugin_registry.h"
#include "service/views/run_index.h"
#include "service/workflow_catalog.h"
#include "state/state_store.h"
#include "util/clock.h"

namespace flowweaver {

class ServiceReader {
 public:
  virtual ~ServiceReader() = default;

  virtual std::vector<ServedWorkflow> served_workflows() const = 0;  // by name
  virtual std::optional<ServedWorkflow> served_workflow(const std::string& name) const = 0;
  // The run id of each workflow's active run, by workflow; a run whose final status is being
  // stored is over for clients and not listed.
  virtual std::map<std::string, std::string> active_run_ids() const = 0;
  // The plugins in service; null before the service has started.
  virtual std::shared_ptr<const PluginRegistry> plugin_registry() const = 0;
  // Calls `read` with `workflow`'s state, read-only; false when it has none yet. Throws what
  // reading throws.
  virtual bool read_state(const std::string& workflow,
                          const std::function<void(StateStore&)>& read) const = 0;
  // When `workflow` last succeeded (its latest COMPLETED run ended), from memory once known.
  virtual std::optional<TimePoint> last_success(const std::string& workflow) const = 0;
  virtual RunIndex& run_index() const = 0;
  virtual TimePoint now() const = 0;
};

}  // namespace flowweaver
