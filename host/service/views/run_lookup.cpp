#include "service/views/run_lookup.h"

namespace flowweaver {

namespace {

bool read_in(const ServiceReader& service, const std::string& workflow,
             const std::function<bool(StateStore&)>& read) {
  bool found = false;
  service.read_state(workflow, [&](StateStore& store) { found = read(store); });
  return found;
}

}  // namespace

std::optional<std::string> read_run_state(const ServiceReader& service, const std::string& run_id,
                                          const std::function<bool(StateStore&)>& read) {
  RunIndex& index = service.run_index();
  std::optional<std::string> indexed = index.workflow_of(run_id);
  if (indexed && service.served_workflow(*indexed) && read_in(service, *indexed, read)) {
    return indexed;
  }
  // Not indexed, or no longer where the index says (a restored state, a workflow removed).
  if (indexed) index.forget(run_id);
  for (const ServedWorkflow& served : service.served_workflows()) {
    const std::string& name = served.workflow->manifest.name;
    if (name == indexed || !read_in(service, name, read)) continue;
    index.remember(run_id, name);
    return name;
  }
  return std::nullopt;
}

}  // namespace flowweaver
