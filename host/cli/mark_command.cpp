// mark: records a task COMPLETED (with its output) or FAILED without running it: the operating
// guide's "Recovery Procedure if State Lost", where the operator knows from elsewhere what was
// done. Each mark is also an attempt row, so the history shows it was set by hand; `reset`
// undoes it.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <unordered_map>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "cli/state_command_support.h"
#include "exec/output_check.h"
#include "manifest/validator.h"
#include "repair/task_mark.h"
#include "run_id.h"
#include "state/postgres_connection.h"
#include "state/state_location.h"
#include "state/state_store.h"
#include "workflow.h"

namespace flowweaver {
namespace {

// The note of every attempt row `mark` writes; for --failed the error follows it.
constexpr const char* kByHand = "set by hand with flowweaver mark";

struct MarkArguments {
  std::string file, task, state, run_id;
  bool completed = false, failed = false;
  std::string output = "null";
  std::string error;
};

// --output as it will be stored and handed to dependents: compact JSON.
std::string checked_output(const std::string& output) {
  if (std::optional<std::string> problem = output_text_problem(output)) {
    throw Error::InvalidArgument(
        "--output " + *problem +
        ": give the task's output as the JSON it would have returned, quoted for the shell, "
        "e.g. --output '{\"rows\": 120}'");
  }
  return nlohmann::json::parse(output).dump();
}

std::string manifest_hash(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return content_hash(bytes.str());
}

// A new run holding every task PENDING, for the next `run` to resume: the state was lost, or the
// workflow's last run is closed.
RunRecord create_pending_run(StateStore& store, const Manifest& m, const std::string& file) {
  TimePoint now = std::chrono::system_clock::now();
  RunRecord run{new_run_id(store, now, std::random_device{}()),
                m.name,
                RunStatus::kPending,
                now,
                std::nullopt,
                manifest_hash(file)};  // its params are resolved by the run that resumes it
  std::vector<TaskRecord> tasks;
  for (size_t i = 0; i < m.tasks.size(); ++i) {
    TaskRecord t;
    t.task_name = m.tasks[i].name;
    t.position = static_cast<int>(i);
    t.timestamp = now;
    tasks.push_back(t);
  }
  store.create_run(run, tasks);
  std::cout << "Created run " << run.run_id << " of " << m.name << " (every task PENDING)\n";
  return run;
}

// The run to mark in: --run, else the one the next `run` would resume, else a new one.
RunRecord run_to_mark(StateStore& store, const Manifest& m, const MarkArguments& args,
                      const std::string& path) {
  if (args.run_id.empty()) {
    if (std::optional<RunRecord> run = resumable_run(store, m.name, false)) return *run;
    return create_pending_run(store, m, args.file);
  }
  std::optional<RunRecord> run = store.find_run(args.run_id);
  if (!run || run->workflow != m.name) {
    throw Error::NotFound("no run '" + args.run_id + "' of '" + m.name + "' in " +
                          url_without_password(path) + " (`flowweaver history " + args.file +
                          "` lists the runs)");
  }
  if (is_closed(run->status)) {
    run->status = RunStatus::kPending;  // reopened, as `reset` does, so the next `run` resumes it
    run->finished_at.reset();
    store.update_run(*run);
    std::cout << "Reopened run " << run->run_id << "\n";
  }
  return *run;
}

// The operator may know better than the state, so marking goes ahead; but they should know.
void warn_about_upstream(const std::string& task,
                         const std::vector<UnfinishedUpstream>& unfinished) {
  for (const UnfinishedUpstream& up : unfinished) {
    std::cerr << "warning: '" << task << "' depends on '" << up.task << "', which is "
              << to_string(up.status) << "; marked all the same ('" << up.task
              << "' still runs on the next `run`)\n";
  }
}

int mark_command(const MarkArguments& args) {
  return report_errors([&] {
    Manifest m = read_manifest_for_state(args.file);
    uint32_t task = find_task(m, args.file, args.task);
    if (args.completed) checked_output(args.output);  // before anything is written
    std::string path = workflow_state(resolve_state_path(args.file, args.state), m.name);
    std::unique_ptr<StateStore> store = open_state_store(path, Durability::kNormal);
    RunRecord run = run_to_mark(*store, m, args, path);
    TaskMark mark;
    mark.completed = args.completed;
    if (args.completed) mark.output = checked_output(args.output);
    mark.error = args.error;
    mark.note = kByHand;
    TaskMarkResult done =
        record_task_mark(*store, m, task, run, mark, std::chrono::system_clock::now());
    warn_about_upstream(args.task, done.unfinished);
    const TaskUpdate& update = done.update;
    std::cout << "Marked " << args.task << " " << to_string(update.task.status) << " in run "
              << run.run_id << " (attempt " << update.task.attempt << ", " << kByHand << ").\n"
              << (args.completed ? "The next `flowweaver run " + args.file +
                                       "` resumes this run without running it."
                                 : "The next `flowweaver run " + args.file +
                                       "` resumes this run and tries it again.")
              << "\n";
    return kExitOk;
  });
}

}  // namespace

void add_mark_command(CommandRegistry& commands) {
  auto args = std::make_shared<MarkArguments>();
  CLI::App* cmd = commands.add("mark", "Record a task COMPLETED or FAILED without running it",
                               [args] { return mark_command(*args); });
  cmd->add_option("FILE", args->file, "Workflow manifest")->required();
  cmd->add_option("TASK", args->task, "Task name")->required();
  CLI::Option* completed = cmd->add_flag("--completed", args->completed, "Record it COMPLETED");
  CLI::Option* failed = cmd->add_flag("--failed", args->failed, "Record it FAILED");
  completed->excludes(failed);
  cmd->add_option("--output", args->output,
                  "With --completed: its output, as the JSON it would have returned")
      ->capture_default_str()
      ->needs(completed);
  cmd->add_option("--error", args->error, "With --failed: why")->needs(failed);
  cmd->add_option("--run", args->run_id,
                  "Run id (default: the run the next `run` resumes; a new one if none)");
  add_state_option(cmd, &args->state);
  cmd->callback([args] {
    if (!args->completed && !args->failed) {
      throw CLI::ValidationError("give --completed or --failed");
    }
  });
}

}  // namespace flowweaver
