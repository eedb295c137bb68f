// status, history and reset: the operator's view of, and one repair to, stored state.
#include <iostream>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "cli/commands.h"
#include "engine.h"
#include "manifest/manifest_reader.h"
#include "manifest/validator.h"
#include "run_summary.h"
#include "state/record_json.h"
#include "state/state_store.h"
#include "util/error.h"
#include "util/suggest.h"
#include "util/time_format.h"
#include "workflow.h"

namespace flowweaver {
namespace {

// The manifest, read for its name and graph only (plugins are not needed for these commands).
Manifest read_for_state(const std::string& file) {
  DiagnosticList diagnostics(file);
  Manifest m = read_manifest(file, &diagnostics);
  if (!diagnostics.empty()) {
    throw Error::InvalidArgument(diagnostics.to_string() + "fix the manifest first");
  }
  return m;
}

nlohmann::json task_json(const TaskRecord& t) {
  nlohmann::json j = {{"task", t.task_name},
                      {"status", to_string(t.status)},
                      {"attempts", t.attempt},
                      {"error", t.error},
                      {"started_at", time_to_json(t.started_at)},
                      {"finished_at", time_to_json(t.finished_at)},
                      {"next_attempt_at", time_to_json(t.next_attempt_at)}};
  if (t.started_at && t.finished_at) {
    j["duration_ms"] = std::chrono::duration_cast<Millis>(*t.finished_at - *t.started_at).count();
  }
  return j;
}

template <class F>
int guarded(F&& body) {
  try {
    return body();
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return e.kind() == ErrorKind::kState ? kExitRuntime : kExitInvalid;
  }
}

}  // namespace

std::string resolve_state_path(const std::string& file, const std::string& state_path) {
  if (!state_path.empty()) return state_path;
  if (file.empty()) {
    throw Error::InvalidArgument("give a manifest FILE or --state PATH");
  }
  return default_state_path(read_for_state(file).name);
}

int status_command(const std::string& file, const std::string& state_path,
                   const std::string& run_id, bool json) {
  return guarded([&] {
    std::string path = resolve_state_path(file, state_path);
    std::unique_ptr<StateStore> store = open_existing_state_store(path);
    std::optional<RunRecord> run;
    if (!run_id.empty()) {
      run = store->find_run(run_id);
      if (!run) throw Error::NotFound("no run '" + run_id + "' in " + path);
    } else {
      std::string workflow = file.empty() ? "" : read_for_state(file).name;
      auto runs = store->list_runs(workflow, 1);
      if (runs.empty()) throw Error::NotFound("no runs recorded in " + path);
      run = runs.front();
    }
    std::vector<TaskRecord> tasks = store->load_tasks(run->run_id);
    if (json) {
      nlohmann::json out = run_to_json(*run);
      out["tasks"] = nlohmann::json::array();
      for (const TaskRecord& t : tasks) out["tasks"].push_back(task_json(t));
      std::cout << out.dump(2) << "\n";
      return kExitOk;
    }
    std::cout << "Run " << run->run_id << " of " << run->workflow << ": " << to_string(run->status)
              << " (started " << format_timestamp(run->started_at) << ")\n";
    print_task_table(std::cout, tasks);
    return kExitOk;
  });
}

int history_command(const std::string& file, const std::string& state_path, size_t limit,
                    bool json) {
  return guarded([&] {
    std::string path = resolve_state_path(file, state_path);
    std::unique_ptr<StateStore> store = open_existing_state_store(path);
    std::string workflow = file.empty() ? "" : read_for_state(file).name;
    std::vector<RunRecord> runs = store->list_runs(workflow, limit);
    if (json) {
      nlohmann::json out = nlohmann::json::array();
      for (const RunRecord& r : runs) out.push_back(run_to_json(r));
      std::cout << out.dump(2) << "\n";
      return kExitOk;
    }
    std::cout << "RUN                    WORKFLOW              STATUS       STARTED                "
                 "   DURATION\n";
    for (const RunRecord& r : runs) {
      std::string elapsed =
          r.finished_at
              ? format_duration(std::chrono::duration_cast<Millis>(*r.finished_at - r.started_at))
              : "-";
      std::printf("%-22s %-21s %-12s %-25s %s\n", r.run_id.c_str(), r.workflow.c_str(),
                  to_string(r.status), format_timestamp(r.started_at).c_str(), elapsed.c_str());
    }
    std::fflush(stdout);
    return kExitOk;
  });
}

int reset_command(const std::string& file, const std::string& task, const std::string& state_path) {
  return guarded([&] {
    Manifest m = read_for_state(file);
    std::unordered_map<std::string, uint32_t> index = index_tasks(m);
    auto it = index.find(task);
    if (it == index.end()) {
      std::vector<std::string> names;
      for (const TaskSpec& t : m.tasks) names.push_back(t.name);
      throw Error::NotFound("no task '" + task + "' in " + file + did_you_mean(task, names));
    }
    Dag dag = build_dag(m);
    if (!dag.find_cycle().empty()) throw Error::InvalidArgument(file + " has a dependency cycle");
    std::string path = resolve_state_path(file, state_path);
    std::unique_ptr<StateStore> store = open_existing_state_store(path);
    std::optional<RunRecord> run = store->latest_run(m.name);
    if (!run) throw Error::NotFound("no run of '" + m.name + "' in " + path + "; nothing to reset");
    std::unordered_map<std::string, TaskRecord> stored;
    for (TaskRecord& r : store->load_tasks(run->run_id)) stored.emplace(r.task_name, r);
    TimePoint now = std::chrono::system_clock::now();
    std::vector<TaskUpdate> updates;
    std::vector<std::string> names;
    for (uint32_t t : dag.with_dependents(it->second)) {
      TaskRecord r;
      auto found = stored.find(m.tasks[t].name);
      if (found != stored.end()) r = found->second;
      r.task_name = m.tasks[t].name;
      r.position = static_cast<int>(t);
      r.status = TaskStatus::kPending;
      r.result.clear();
      r.error.clear();
      r.timestamp = now;
      r.started_at.reset();
      r.finished_at.reset();
      r.next_attempt_at.reset();
      updates.push_back({r, std::nullopt});
      names.push_back(r.task_name);
    }
    store->apply(run->run_id, updates);
    if (run->status == RunStatus::kCompleted) {
      run->status = RunStatus::kPending;  // so the next `run` resumes it instead of starting anew
      run->finished_at.reset();
      store->update_run(*run);
    }
    std::cout << "Reset " << names.size() << " task(s) of run " << run->run_id << ": "
              << join(names) << "\nThe next `flowweaver run " << file << "` runs them again.\n";
    return kExitOk;
  });
}

}  // namespace flowweaver
