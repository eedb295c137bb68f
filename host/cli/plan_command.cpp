// plan: what `run` would do now, task by task, executing nothing.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "engine.h"
#include "plugin/plugin_registry.h"
#include "state/state_store.h"
#include "util/error.h"
#include "util/printable.h"
#include "util/time_format.h"
#include "workflow.h"

namespace flowweaver {
namespace {

struct Step {
  std::string action;  // run | skip | run again | retry
  std::string reason;
};

Step plan_task(const TaskRecord* r) {
  if (r == nullptr) return {"run", "not yet run"};
  switch (r->status) {
    case TaskStatus::kCompleted:
      return {"skip", "COMPLETED"};
    case TaskStatus::kRunning:
    case TaskStatus::kInterrupted:  // an attempt's status, never a task's; read as RUNNING
      return {"run again", "was RUNNING when its process stopped"};
    case TaskStatus::kFailed:
      return {"run again", "FAILED: " + r->error};
    case TaskStatus::kSkipped:
      return {"run", "was SKIPPED: " + r->error};
    case TaskStatus::kPending:
      if (r->next_attempt_at) {
        return {"retry", "attempt " + std::to_string(r->attempt + 1) + " due " +
                             format_timestamp(*r->next_attempt_at)};
      }
      return {"run", r->attempt > 0 ? "PENDING: " + r->error : "not yet run"};
  }
  return {"run", ""};
}

}  // namespace

int plan_command(const std::string& file, const std::string& state_path, bool fresh,
                 const PathList& plugin_dirs, bool json) {
  DiagnosticList diagnostics(file);
  std::optional<Workflow> w = load_workflow(file, plugin_dirs, process_env, &diagnostics);
  if (!w) {
    std::cerr << diagnostics.to_string() << diagnostics.size() << " problem(s) found.\n";
    return kExitInvalid;
  }
  std::string path = state_path.empty() ? default_state_path(w->manifest.name) : state_path;
  std::optional<RunRecord> resumed;
  std::unordered_map<std::string, TaskRecord> stored;
  try {
    if (std::filesystem::exists(path)) {
      std::unique_ptr<StateStore> store = open_existing_state_store(path);
      resumed = resumable_run(*store, w->manifest.name, fresh);
      if (resumed) {
        for (TaskRecord& r : store->load_tasks(resumed->run_id)) stored.emplace(r.task_name, r);
      }
    }
  } catch (const Error& e) {
    std::cerr << "error: " << printable(e.what()) << "\n";
    return kExitRuntime;
  }
  nlohmann::json out = {{"workflow", w->manifest.name},
                        {"state", path},
                        {"resumes", resumed ? nlohmann::json(resumed->run_id) : nullptr},
                        {"tasks", nlohmann::json::array()}};
  // What the resumed run goes on with (run_params.h); a new run's are known once it is created.
  out["params"] = resumed && resumed->params ? *resumed->params : nlohmann::json(nullptr);
  for (uint32_t t : w->dag.topological_order()) {
    const std::string& name = w->manifest.tasks[t].name;
    auto it = stored.find(name);
    Step step = plan_task(it == stored.end() ? nullptr : &it->second);
    out["tasks"].push_back({{"task", name}, {"action", step.action}, {"reason", step.reason}});
  }
  if (json) {
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << (resumed ? "Resumes run " + resumed->run_id + " (" + to_string(resumed->status) + ")"
                        : std::string("Starts a new run"))
            << " of " << w->manifest.name << " with state " << path << ":\n";
  if (!out["params"].is_null())
    std::cout << "  params: " << printable(out["params"].dump()) << "\n";
  for (const auto& step : out["tasks"]) {
    std::printf("  %-10s %-24s %s\n", step["action"].get<std::string>().c_str(),
                step["task"].get<std::string>().c_str(), step["reason"].get<std::string>().c_str());
  }
  std::fflush(stdout);
  return kExitOk;
}

void add_plan_command(CommandRegistry& commands) {
  struct Arguments {
    std::string file, state;
    bool fresh = false, json = false;
    PathList plugin_dirs;
  };
  auto args = std::make_shared<Arguments>();
  CLI::App* cmd = commands.add("plan", "Show what `run` would do now; run nothing", [args] {
    return plan_command(args->file, args->state, args->fresh, plugin_search_path(args->plugin_dirs),
                        args->json);
  });
  cmd->add_option("FILE", args->file, "Workflow manifest")->required();
  add_state_option(cmd, &args->state);
  cmd->add_flag("--fresh", args->fresh, "Plan a new run");
  add_json_flag(cmd, &args->json);
  add_plugin_dir_option(cmd, &args->plugin_dirs);
}

}  // namespace flowweaver
