#include "service/views/run_views.h"

#include <algorithm>
#include <limits>
#include <map>

#include "exec/host_deaths.h"
#include "service/dag_svg.h"
#include "service/views/run_lookup.h"
#include "state/record_json.h"

namespace flowweaver {

namespace {

using nlohmann::json;

// `workflow`'s runs newest first, at most `query.limit` of those with the status asked for. A
// status filter reads the workflow's whole history: the store lists runs by workflow only.
std::vector<RunRecord> stored_runs(const ServiceReader& service, const std::string& workflow,
                                   const RunsQuery& query) {
  std::vector<RunRecord> runs;
  size_t read_limit = query.status ? std::numeric_limits<size_t>::max() : query.limit;
  service.read_state(workflow, [&](StateStore& store) {
    for (RunRecord& r : store.list_runs(workflow, read_limit)) {
      if (query.status && r.status != *query.status) continue;
      runs.push_back(std::move(r));
      if (runs.size() == query.limit) break;
    }
  });
  return runs;
}

json attempt_json(const AttemptRecord& a) {
  return {
      {"attempt", a.attempt},
      {"status", to_string(a.status)},
      {"error", a.error},
      {"started_at", time_to_json(a.started_at)},
      {"finished_at", time_to_json(a.finished_at)},
      {"duration_ms", std::chrono::duration_cast<Millis>(a.finished_at - a.started_at).count()}};
}

json tasks_json(const std::vector<TaskRecord>& tasks, const std::vector<AttemptRecord>& attempts) {
  std::map<std::string, json> history;
  for (const AttemptRecord& a : attempts) {
    json& list = history[a.task_name];
    if (list.is_null()) list = json::array();
    list.push_back(attempt_json(a));
  }
  json out = json::array();
  for (const TaskRecord& t : tasks) {
    json task = task_summary_json(t);
    task["output"] =
        t.status == TaskStatus::kCompleted ? json::parse(t.result, nullptr, false) : json(nullptr);
    auto it = history.find(t.task_name);
    task["attempt_history"] = it != history.end() ? it->second : json::array();
    out.push_back(std::move(task));
  }
  return out;
}

}  // namespace

std::optional<json> runs_view(const ServiceReader& service, const RunsQuery& query) {
  std::vector<std::string> names;
  if (query.workflow.empty()) {
    for (const ServedWorkflow& served : service.served_workflows()) {
      names.push_back(served.workflow->manifest.name);
    }
  } else if (service.served_workflow(query.workflow)) {
    names.push_back(query.workflow);
  } else {
    return std::nullopt;
  }
  std::vector<RunRecord> runs;
  for (const std::string& name : names) {
    for (RunRecord& r : stored_runs(service, name, query)) {
      service.run_index().remember(r.run_id, name);
      runs.push_back(std::move(r));
    }
  }
  std::sort(runs.begin(), runs.end(),
            [](const RunRecord& a, const RunRecord& b) { return a.started_at > b.started_at; });
  if (runs.size() > query.limit) runs.resize(query.limit);
  json out = json::array();
  for (const RunRecord& r : runs) out.push_back(run_to_json(r));
  return out;
}

std::optional<json> run_view(const ServiceReader& service, const std::string& run_id) {
  std::optional<RunRecord> run;
  std::vector<AttemptRecord> attempts;
  std::vector<TaskRecord> tasks;
  read_run_state(service, run_id, [&](StateStore& store) {
    run = store.find_run(run_id);
    if (!run) return false;
    attempts = store.load_attempts(run_id);
    tasks = store.load_tasks(run_id);
    return true;
  });
  if (!run) return std::nullopt;
  json out = run_to_json(*run);
  out["host_deaths"] = describe_host_deaths(attempts);
  out["tasks"] = tasks_json(tasks, attempts);
  // Whether GET /api/workflows/NAME/graph.svg draws the run's workflow (as now served).
  std::optional<ServedWorkflow> served = service.served_workflow(run->workflow);
  out["graph"] = served && served->workflow->manifest.tasks.size() <= kMaxDrawnTasks;
  return out;
}

}  // namespace flowweaver
