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
#include "manifest/fan_out_summary.h"
#include "manifest/flow_names.h"
#include "plugin/plugin_registry.h"
#include "state/state_store.h"
#include "util/error.h"
#include "util/printable.h"
#include "util/suggest.h"
#include "util/time_format.h"
#include "workflow.h"

namespace flowweaver {
namespace {

struct Step {
  std::string action;  // run | skip | run again | retry | re-decide
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
      // Its trigger rule and condition are asked again once its upstream tasks end.
      return {"re-decide", "was SKIPPED: " + r->error};
    case TaskStatus::kPending:
      if (r->next_attempt_at) {
        return {"retry", "attempt " + std::to_string(r->attempt + 1) + " due " +
                             format_timestamp(*r->next_attempt_at)};
      }
      return {"run", r->attempt > 0 ? "PENDING: " + r->error : "not yet run"};
  }
  return {"run", ""};
}

// A condition as one line: a block scalar keeps its line breaks, which a table row cannot.
// Each break and the indentation after it read as one space; spaces inside text stay.
std::string condition_line(const std::string& source) {
  std::string line;
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] != '\n' && source[i] != '\r') {
      line += source[i];
      continue;
    }
    while (i + 1 < source.size() && (source[i + 1] == ' ' || source[i + 1] == '\t')) ++i;
    if (!line.empty() && line.back() != ' ') line += ' ';
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

// When a handler runs, once every task has ended.
std::string handler_condition(TaskRole role) {
  return role == TaskRole::kOnFailure ? "if the run has failed" : "always, last";
}

// One task's or handler's line of the plan, with what it shares with `run` beyond its action.
nlohmann::json plan_entry(const TaskSpec& spec, const TaskRecord* record) {
  Step step = plan_task(record);
  nlohmann::json entry = {{"task", spec.name},
                          {"action", step.action},
                          {"reason", step.reason},
                          {"trigger_rule", trigger_rule_name(spec.trigger_rule)},
                          {"allow_failure", spec.allow_failure}};
  if (spec.condition) entry["if"] = condition_line(spec.condition->source);
  if (spec.fan_out) entry["fan_out"] = fan_out_summary(spec);
  if (spec.role != TaskRole::kTask) {
    entry["handler"] = task_role_list(spec.role);
    entry["when"] = handler_condition(spec.role);
  }
  return entry;
}

// " (foreach: 3 items; trigger_rule: all_done; allow_failure)": what the text plan adds to a
// task's reason when the task does not follow the defaults.
std::string task_notes(const nlohmann::json& entry) {
  std::vector<std::string> notes;
  if (entry.contains("fan_out")) notes.push_back(entry["fan_out"].get<std::string>());
  if (entry.contains("items_completed")) {
    notes.push_back(std::to_string(entry["items_completed"].get<size_t>()) +
                    " completed item(s) kept");
  }
  if (entry.contains("handler")) {
    notes.push_back(entry["handler"].get<std::string>() + ": " + entry["when"].get<std::string>());
  }
  std::string rule = entry["trigger_rule"];
  if (rule != trigger_rule_name(TriggerRule::kAllSuccess)) notes.push_back("trigger_rule: " + rule);
  if (entry["allow_failure"].get<bool>()) notes.push_back("allow_failure");
  return notes.empty() ? "" : " (" + join(notes, "; ") + ")";
}

void print_steps(const nlohmann::json& steps) {
  for (const auto& step : steps) {
    std::string reason = step["reason"].get<std::string>() + task_notes(step);
    std::printf("  %-10s %-24s %s\n", step["action"].get<std::string>().c_str(),
                step["task"].get<std::string>().c_str(), reason.c_str());
    if (step.contains("if")) {
      std::printf("  %-10s %-24s if: %s\n", "", "",
                  printable(step["if"].get<std::string>()).c_str());
    }
  }
}

// The run's deadline: from its start, which a resumed run already has.
nlohmann::json run_timeout(const Manifest& m, const std::optional<RunRecord>& resumed) {
  if (!m.timeout) return nullptr;
  nlohmann::json timeout = {{"duration", format_duration_spec(*m.timeout)}};
  if (resumed) timeout["deadline"] = format_timestamp(resumed->started_at + *m.timeout);
  return timeout;
}

void print_plan(const nlohmann::json& out, const std::optional<RunRecord>& resumed) {
  std::cout << (resumed ? "Resumes run " + resumed->run_id + " (" + to_string(resumed->status) + ")"
                        : std::string("Starts a new run"))
            << " of " << out["workflow"].get<std::string>() << " with state "
            << out["state"].get<std::string>() << ":\n";
  if (!out["params"].is_null()) {
    std::cout << "  params: " << printable(out["params"].dump()) << "\n";
  }
  std::cout << std::flush;
  print_steps(out["tasks"]);
  if (!out["handlers"].empty()) {
    std::printf("Handlers, once every task has ended:\n");
    print_steps(out["handlers"]);
  }
  const nlohmann::json& timeout = out["timeout"];
  if (!timeout.is_null()) {
    std::string line =
        "Run timeout: " + timeout["duration"].get<std::string>() + " from the run's start";
    if (timeout.contains("deadline")) line += ", at " + timeout["deadline"].get<std::string>();
    std::printf("%s\n", line.c_str());
  }
  std::fflush(stdout);
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
    if (std::unique_ptr<StateStore> store = find_state_store(path)) {
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
                        {"timeout", run_timeout(w->manifest, resumed)},
                        {"tasks", nlohmann::json::array()},
                        {"handlers", nlohmann::json::array()}};
  // What the resumed run goes on with (run_params.h); a new run's are known once it is created.
  out["params"] = resumed && resumed->params ? *resumed->params : nlohmann::json(nullptr);
  // Handlers are listed apart, as they run apart: after every task has ended.
  for (uint32_t t : w->dag.topological_order()) {
    const TaskSpec& spec = w->manifest.tasks[t];
    auto it = stored.find(spec.name);
    nlohmann::json entry = plan_entry(spec, it == stored.end() ? nullptr : &it->second);
    if (spec.fan_out && entry["action"] != "skip") {
      // Its completed items are kept: only the others run again.
      size_t kept = 0;
      for (const auto& [name, row] : stored) {
        kept += row.status == TaskStatus::kCompleted && name.starts_with(spec.name + "[");
      }
      if (kept > 0) entry["items_completed"] = kept;
    }
    out[spec.role == TaskRole::kTask ? "tasks" : "handlers"].push_back(std::move(entry));
  }
  if (json) {
    std::cout << out.dump(2) << "\n";
  } else {
    print_plan(out, resumed);
  }
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
