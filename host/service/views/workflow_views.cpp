#include "service/views/workflow_views.h"

#include <algorithm>

#include "service/dag_svg.h"
#include "state/record_json.h"

namespace flowweaver {

namespace {

using nlohmann::json;

json duration_ms(const RunRecord& run) {
  if (!run.finished_at) return nullptr;
  return std::chrono::duration_cast<Millis>(*run.finished_at - run.started_at).count();
}

json recent_run_json(const RunRecord& run) {
  return {{"run_id", run.run_id},
          {"status", to_string(run.status)},
          {"started_at", time_to_json(run.started_at)},
          {"duration_ms", duration_ms(run)}};
}

json last_run_json(const RunRecord& run) {
  json out = recent_run_json(run);
  out["finished_at"] = time_to_json(run.finished_at);
  return out;
}

// The end of the latest COMPLETED run among `runs` (newest first), else what the service keeps
// in memory of older ones (read from the state once, then kept up to date by its runs).
std::optional<TimePoint> last_success(const ServiceReader& service, const std::string& workflow,
                                      const std::vector<RunRecord>& runs) {
  for (const RunRecord& run : runs) {
    if (run.status == RunStatus::kCompleted && run.finished_at) return run.finished_at;
  }
  return service.last_success(workflow);
}

// last_run, recent_runs (oldest first) and last_success_at, from one read of the latest runs.
void add_runs(const ServiceReader& service, const std::string& workflow, json* out) {
  std::vector<RunRecord> runs;
  service.read_state(workflow,
                     [&](StateStore& store) { runs = store.list_runs(workflow, kRecentRuns); });
  (*out)["last_run"] = runs.empty() ? json(nullptr) : last_run_json(runs.front());
  (*out)["last_success_at"] = time_to_json(last_success(service, workflow, runs));
  json recent = json::array();
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    service.run_index().remember(it->run_id, workflow);
    recent.push_back(recent_run_json(*it));
  }
  (*out)["recent_runs"] = std::move(recent);
}

json workflow_json(const ServiceReader& service, const ServedWorkflow& served,
                   const std::map<std::string, std::string>& active, TimePoint now) {
  const Manifest& m = served.workflow->manifest;
  json j = {
      {"name", m.name},          {"description", m.description}, {"file", served.file.string()},
      {"tasks", m.tasks.size()}, {"schedule", nullptr},          {"next_run_at", nullptr},
      {"catchup", m.catchup},    {"active_run", nullptr}};
  if (served.schedule) {
    j["schedule"] = served.schedule->text();
    j["next_run_at"] = time_to_json(served.schedule->next_after(now));  // null: never
  }
  auto it = active.find(m.name);
  if (it != active.end()) j["active_run"] = it->second;
  j["params"] = declarations_json(m.param_decls);
  // Whether GET /api/workflows/NAME/graph.svg draws it: the page asks only then.
  j["graph"] = m.tasks.size() <= kMaxDrawnTasks;
  add_runs(service, m.name, &j);
  return j;
}

}  // namespace

json workflows_view(const ServiceReader& service) {
  json out = json::array();
  TimePoint now = service.now();
  std::map<std::string, std::string> active = service.active_run_ids();
  for (const ServedWorkflow& served : service.served_workflows()) {
    out.push_back(workflow_json(service, served, active, now));
  }
  return out;
}

}  // namespace flowweaver
