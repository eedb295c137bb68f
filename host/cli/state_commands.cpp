// status, history and reset: the operator's view of, and one repair to, stored state. status and
// history read a state file, or a directory of them (see state_directory.h).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "cli/state_command_support.h"
#include "cli/state_directory.h"
#include "cli/status_watch.h"
#include "engine.h"
#include "exec/host_deaths.h"
#include "manifest/manifest_reader.h"
#include "manifest/validator.h"
#include "repair/task_reset.h"
#include "run_summary.h"
#include "state/postgres_connection.h"
#include "state/record_json.h"
#include "state/state_location.h"
#include "state/state_store.h"
#include "util/error.h"
#include "util/printable.h"
#include "util/suggest.h"
#include "util/time_format.h"
#include "workflow.h"

namespace flowweaver {
namespace {

// list_runs' limit meaning "all of them".
constexpr size_t kAllRuns = std::numeric_limits<int64_t>::max();

// The workflow a command is about: --workflow, else the manifest's name, else none (all).
std::string selected_workflow(const std::string& file, const std::string& workflow_name) {
  if (!workflow_name.empty() || file.empty()) return workflow_name;
  return read_manifest_for_state(file).name;
}

// --state if given, else the workflow's default state file.
std::string state_file(const std::string& workflow, const std::string& state_path) {
  if (!state_path.empty()) return state_path;
  if (workflow.empty()) {
    throw Error::InvalidArgument("give a manifest FILE, --workflow NAME or --state PATH");
  }
  return default_state_path(workflow);
}

void print_run(StateStore& store, const RunRecord& run, bool json) {
  std::vector<TaskRecord> tasks = store.load_tasks(run.run_id);
  // The tasks that were running when the host process died: the suspects of a crash.
  std::vector<std::string> host_deaths = describe_host_deaths(store.load_attempts(run.run_id));
  if (json) {
    nlohmann::json out = run_to_json(run);
    out["tasks"] = nlohmann::json::array();
    for (const TaskRecord& t : tasks) out["tasks"].push_back(task_summary_json(t));
    out["host_deaths"] = host_deaths;
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "Run " << run.run_id << " of " << run.workflow << ": " << to_string(run.status)
            << " (started " << format_timestamp(run.started_at) << ")\n";
  if (run.parent) {
    std::cout << "Started by task '" << run.parent->task << "' of run " << run.parent->run_id
              << " of " << run.parent->workflow << " (workflow.run)\n";
  }
  print_status_table(std::cout, tasks);
  for (const std::string& line : host_deaths) std::cout << line << "\n";
}

// One run of the state file at `path`: `run_id`, else the latest of `workflow` (any if empty).
int show_run(const std::string& path, const std::string& workflow, const std::string& run_id,
             bool json) {
  std::unique_ptr<StateStore> store = open_existing_state_store(path);
  std::optional<RunRecord> run;
  if (!run_id.empty()) {
    run = store->find_run(run_id);
    if (!run) throw Error::NotFound("no run '" + run_id + "' in " + url_without_password(path));
  } else {
    auto runs = store->list_runs(workflow, 1);
    if (runs.empty()) throw Error::NotFound("no runs recorded in " + url_without_password(path));
    run = runs.front();
  }
  print_run(*store, *run, json);
  return kExitOk;
}

int show_run_in_directory(const std::string& dir, const std::string& run_id, bool json) {
  StateDirectory states = open_state_directory(dir);
  for (DirectoryStore& d : states.stores) {
    if (std::optional<RunRecord> run = d.store->find_run(run_id)) {
      print_run(*d.store, *run, json);
      return kExitOk;
    }
  }
  throw Error::NotFound("no run '" + run_id + "' in the state files of " + dir);
}

// How many tasks are in each status, by status name.
std::map<std::string, size_t> count_by_status(const std::vector<TaskRecord>& tasks) {
  std::map<std::string, size_t> counts;
  for (const TaskRecord& t : tasks) ++counts[to_string(t.status)];
  return counts;
}

// "3 COMPLETED, 1 FAILED": finished work first, then what is in progress or went wrong.
std::string counts_text(const std::map<std::string, size_t>& counts) {
  std::string text;
  for (TaskStatus s : {TaskStatus::kCompleted, TaskStatus::kRunning, TaskStatus::kPending,
                       TaskStatus::kFailed, TaskStatus::kSkipped}) {
    auto it = counts.find(to_string(s));
    if (it == counts.end()) continue;
    text += (text.empty() ? "" : ", ") + std::to_string(it->second) + " " + it->first;
  }
  return text.empty() ? "no tasks" : text;
}

// One line per workflow of a state directory: its latest run and its tasks' statuses.
int show_latest_runs(const std::string& dir, bool json) {
  StateDirectory states = open_state_directory(dir);
  std::map<std::string, nlohmann::json> latest;  // by workflow name
  for (DirectoryStore& d : states.stores) {
    for (const RunRecord& run : d.store->list_runs("", kAllRuns)) {
      if (latest.count(run.workflow)) continue;  // newest first: the first one is the latest
      auto counts = count_by_status(d.store->load_tasks(run.run_id));
      latest[run.workflow] = {{"workflow", run.workflow},
                              {"state", d.path},
                              {"run", run_to_json(run)},
                              {"tasks", counts},
                              {"summary", counts_text(counts)}};
    }
  }
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (auto& [name, row] : latest) out.push_back(row);
    std::cout << out.dump(2) << "\n";
  } else {
    std::printf("%-21s %-22s %-12s %-25s %s\n", "WORKFLOW", "RUN", "STATUS", "STARTED", "TASKS");
    for (auto& [name, row] : latest) {
      const nlohmann::json& run = row["run"];
      std::printf(
          "%-21s %-22s %-12s %-25s %s\n", name.c_str(), run["run_id"].get<std::string>().c_str(),
          run["status"].get<std::string>().c_str(), run["started_at"].get<std::string>().c_str(),
          row["summary"].get<std::string>().c_str());
    }
    std::fflush(stdout);
  }
  return states.num_unreadable ? kExitRuntime : kExitOk;
}

// `state_of` (run id -> state file) adds a "state" field to the JSON of a state directory.
void print_history(const std::vector<RunRecord>& runs,
                   const std::unordered_map<std::string, std::string>& state_of, bool json) {
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const RunRecord& r : runs) {
      nlohmann::json j = run_to_json(r);
      auto it = state_of.find(r.run_id);
      if (it != state_of.end()) j["state"] = it->second;
      out.push_back(std::move(j));
    }
    std::cout << out.dump(2) << "\n";
    return;
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
}

// status --watch: the run's progress until it is final, then its status as without --watch.
// The exit code says how it ended: 0 COMPLETED, 1 otherwise.
int watch_then_show(const std::string& workflow, const std::string& state_path,
                    const std::string& run_id, bool json) {
  if (workflow.empty() && is_state_directory(state_path) && run_id.empty()) {
    throw Error::InvalidArgument(
        "--watch follows one run: give a manifest FILE, --workflow or --run");
  }
  std::string path = is_state_directory(state_path) && !workflow.empty()
                         ? state_file_in(state_path, workflow)
                         : state_file(workflow, state_path);
  std::string id = run_id;
  if (id.empty()) {
    std::unique_ptr<StateStore> store = open_existing_state_store(path);
    std::vector<RunRecord> runs = store->list_runs(workflow, 1);
    if (runs.empty()) throw Error::NotFound("no runs recorded in " + url_without_password(path));
    id = runs.front().run_id;
  }
  RunStatus final_status = watch_run(path, id);
  show_run(path, workflow, id, json);
  return final_status == RunStatus::kCompleted ? kExitOk : kExitTaskFailed;
}

}  // namespace

std::string resolve_state_path(const std::string& file, const std::string& state_path) {
  if (!state_path.empty()) return state_path;
  if (file.empty()) {
    throw Error::InvalidArgument("give a manifest FILE or --state PATH");
  }
  return default_state_path(read_manifest_for_state(file).name);
}

int status_command(const std::string& file, const std::string& state_path,
                   const std::string& run_id, bool json, const std::string& workflow_name,
                   bool watch) {
  return report_errors([&] {
    std::string workflow = selected_workflow(file, workflow_name);
    if (watch) return watch_then_show(workflow, state_path, run_id, json);
    if (!is_state_directory(state_path)) {
      return show_run(state_file(workflow, state_path), workflow, run_id, json);
    }
    if (!run_id.empty()) return show_run_in_directory(state_path, run_id, json);
    if (!workflow.empty()) {
      return show_run(state_file_in(state_path, workflow), workflow, "", json);
    }
    return show_latest_runs(state_path, json);
  });
}

int history_command(const std::string& file, const std::string& state_path, size_t limit, bool json,
                    const std::string& workflow_name) {
  return report_errors([&] {
    std::string workflow = selected_workflow(file, workflow_name);
    if (!is_state_directory(state_path)) {
      std::unique_ptr<StateStore> store =
          open_existing_state_store(state_file(workflow, state_path));
      print_history(store->list_runs(workflow, limit), {}, json);
      return kExitOk;
    }
    StateDirectory dir = open_state_directory(state_path);
    std::vector<RunRecord> runs;
    std::unordered_map<std::string, std::string> state_of;
    for (DirectoryStore& d : dir.stores) {
      for (RunRecord& r : d.store->list_runs(workflow, limit)) {
        state_of[r.run_id] = d.path;
        runs.push_back(std::move(r));
      }
    }
    std::sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) {
      return a.started_at != b.started_at ? a.started_at > b.started_at : a.run_id > b.run_id;
    });
    if (runs.size() > limit) runs.resize(limit);
    print_history(runs, state_of, json);
    return dir.num_unreadable ? kExitRuntime : kExitOk;
  });
}

int reset_command(const std::string& file, const std::string& task, const std::string& state_path) {
  return report_errors([&] {
    Manifest m = read_manifest_for_state(file);
    uint32_t reset_task = find_task(m, file, task);
    Dag dag = build_dag(m);
    if (!dag.find_cycle().empty()) throw Error::InvalidArgument(file + " has a dependency cycle");
    std::string path = workflow_state(resolve_state_path(file, state_path), m.name);
    std::unique_ptr<StateStore> store = open_existing_state_store(path, Access::kReadWrite);
    std::optional<RunRecord> run = store->latest_run(m.name);
    if (!run) {
      throw Error::NotFound("no run of '" + m.name + "' in " + url_without_password(path) +
                            "; nothing to reset");
    }
    TaskResetResult done = reset_task_and_dependents(*store, m, dag, reset_task, *run,
                                                     std::chrono::system_clock::now());
    const std::vector<std::string>& names = done.reset;
    size_t items = done.num_items;
    std::cout << "Reset " << names.size() << " task(s) of run " << run->run_id << ": "
              << join(names)
              << (items ? " (and " + std::to_string(items) + " of their foreach/matrix items)" : "")
              << "\n";
    if (run->parent) {  // a sub-workflow's run: only its parent's task resumes it
      std::cout << "It is the child run of task '" << run->parent->task << "' of run "
                << run->parent->run_id << " of '" << run->parent->workflow
                << "': reset that task too, and the parent's next run runs them again.\n";
    } else {
      std::cout << "The next `flowweaver run " << file << "` runs them again.\n";
    }
    return kExitOk;
  });
}

namespace {

// What status, history and reset take; each uses the fields its options fill.
struct StateArguments {
  std::string file, state, workflow, run_id, task;
  bool json = false;
  bool watch = false;
  size_t limit = 20;
};

// status and history need the manifest only for its workflow's name, which --workflow or --state
// may give instead.
void add_optional_manifest_argument(CLI::App* cmd, StateArguments* args) {
  cmd->add_option("FILE", args->file, "Workflow manifest (to find its state)");
}

}  // namespace

void add_status_command(CommandRegistry& commands) {
  auto args = std::make_shared<StateArguments>();
  CLI::App* cmd = commands.add("status", "Show the tasks of a run", [args] {
    return status_command(args->file, args->state, args->run_id, args->json, args->workflow,
                          args->watch);
  });
  add_optional_manifest_argument(cmd, args.get());
  add_state_option(cmd, &args->state,
                   "State file, or a directory of <workflow>.db files (then, without "
                   "--workflow or --run: the latest run of each workflow)");
  cmd->add_option("--workflow", args->workflow, "Workflow name (instead of FILE)");
  cmd->add_option("--run", args->run_id, "Run id (default: the latest)");
  cmd->add_flag("--watch", args->watch,
                "Show the run's progress until it ends (exit 0 if COMPLETED, else 1)");
  add_json_flag(cmd, &args->json);
}

void add_history_command(CommandRegistry& commands) {
  auto args = std::make_shared<StateArguments>();
  CLI::App* cmd = commands.add("history", "List runs, newest first", [args] {
    return history_command(args->file, args->state, args->limit, args->json, args->workflow);
  });
  add_optional_manifest_argument(cmd, args.get());
  add_state_option(cmd, &args->state, "State file, or a directory of <workflow>.db files");
  cmd->add_option("--workflow", args->workflow, "Only this workflow's runs (instead of FILE)");
  cmd->add_option("--limit", args->limit, "How many runs")->capture_default_str();
  add_json_flag(cmd, &args->json);
}

void add_reset_command(CommandRegistry& commands) {
  auto args = std::make_shared<StateArguments>();
  CLI::App* cmd =
      commands.add("reset", "Clear a task and its dependents so the next run reruns them",
                   [args] { return reset_command(args->file, args->task, args->state); });
  cmd->add_option("FILE", args->file, "Workflow manifest")->required();
  cmd->add_option("TASK", args->task, "Task name")->required();
  add_state_option(cmd, &args->state);
}

}  // namespace flowweaver
