// logs: prints a task attempt's own log (task_log/), and with --follow keeps printing its new
// lines until the attempt is over. Only reads: the state read-only, the log file.
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "cli/state_directory.h"
#include "engine.h"
#include "manifest/manifest_reader.h"
#include "state/postgres_connection.h"
#include "state/state_store.h"
#include "task_log/task_log_reader.h"
#include "util/error.h"
#include "util/printable.h"
#include "util/suggest.h"
#include "workflow.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;

constexpr auto kFollowPoll = std::chrono::milliseconds(200);
constexpr size_t kReadChunkBytes = 64 * 1024;

struct LogsArguments {
  std::string workflow, task, run_id, state;
  std::string log_dir = "var/log";
  std::optional<int> attempt;
  bool follow = false;
};

// WORKFLOW is a manifest file (its workflow's name is read from it) or a workflow name.
std::string workflow_name(const std::string& workflow) {
  std::error_code ec;
  if (!fs::is_regular_file(workflow, ec)) return workflow;
  DiagnosticList diagnostics(workflow);
  Manifest m = read_manifest(workflow, &diagnostics);
  if (!diagnostics.empty()) {
    std::cerr << diagnostics.to_string();
    throw Error::InvalidArgument(workflow +
                                 " is not a valid manifest: fix it, or give the "
                                 "workflow's name instead");
  }
  return m.name;
}

// The workflows with a state file in `dir`, for suggestions.
std::vector<std::string> workflows_in(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (has_state_file_extension(e.path())) {
      names.push_back(e.path().stem().string());
    }
  }
  return names;
}

std::string state_path_for(const std::string& workflow, const std::string& state) {
  std::string path = state.empty()               ? default_state_path(workflow)
                     : is_state_directory(state) ? state_file_in(state, workflow)
                                                 : state;
  if (!find_state_store(path)) {
    throw Error::NotFound("no state for workflow '" + printable(workflow) + "' at " +
                          url_without_password(path) +
                          did_you_mean(workflow, workflows_in(fs::path(path).parent_path())) +
                          "; give --state where its runs are recorded");
  }
  return path;
}

// Copies the file from `*offset` to its current end to stdout.
void print_new_bytes(const fs::path& path, uint64_t* offset) {
  while (std::optional<LogBytes> chunk = read_log_bytes(path, *offset, kReadChunkBytes)) {
    if (chunk->bytes.empty()) break;
    std::cout.write(chunk->bytes.data(), static_cast<std::streamsize>(chunk->bytes.size()));
    *offset = chunk->next_offset;
  }
  std::cout.flush();
}

// The task's row now, from a fresh read-only look at the state (which another process writes).
TaskRecord current_row(const std::string& state_path, const TaskLogLocation& where) {
  std::unique_ptr<StateStore> store = open_existing_state_store(state_path, Access::kReadOnly);
  for (TaskRecord& row : store->load_tasks(where.run.run_id)) {
    if (row.task_name == where.task.task_name) return row;
  }
  throw Error::NotFound("task '" + where.task.task_name + "' is gone from run " + where.run.run_id +
                        " (reset meanwhile?)");
}

int follow(const std::string& state_path, const TaskLogLocation& where) {
  uint64_t offset = 0;
  for (;;) {
    // The row first: lines written before the attempt was seen over are then printed below.
    bool over = attempt_is_over(current_row(state_path, where), where.attempt);
    print_new_bytes(where.path, &offset);
    if (over) return kExitOk;
    std::this_thread::sleep_for(kFollowPoll);
  }
}

int logs_command(const LogsArguments& args) {
  std::string workflow = workflow_name(args.workflow);
  std::string state_path = state_path_for(workflow, args.state);
  std::unique_ptr<StateStore> store = open_existing_state_store(state_path, Access::kReadOnly);
  TaskLogLocation where =
      locate_task_log(*store, args.log_dir, workflow, args.run_id, args.task, args.attempt);
  store.reset();
  std::error_code ec;
  if (!fs::exists(where.path, ec) && !logged_nothing(where)) {
    throw Error::NotFound(missing_log_message(where));
  }
  if (args.follow) return follow(state_path, where);
  if (!fs::exists(where.path, ec)) {
    std::cerr << "task '" << where.task.task_name << "' logged nothing in attempt " << where.attempt
              << " of run " << where.run.run_id << "\n";
    return kExitOk;
  }
  uint64_t offset = 0;
  print_new_bytes(where.path, &offset);
  return kExitOk;
}

}  // namespace

void add_logs_command(CommandRegistry& commands) {
  auto args = std::make_shared<LogsArguments>();
  CLI::App* cmd = commands.add("logs", "Print a task attempt's own log", [args]() -> int {
    try {
      return logs_command(*args);
    } catch (const Error& e) {
      std::cerr << "error: " << printable(e.what()) << "\n";
      return e.kind() == ErrorKind::kState || e.kind() == ErrorKind::kIO ? kExitRuntime
                                                                         : kExitInvalid;
    }
  });
  cmd->add_option("WORKFLOW", args->workflow, "Workflow manifest, or the workflow's name")
      ->required();
  cmd->add_option("TASK", args->task, "Task name")->required();
  cmd->add_option("--run", args->run_id, "Run id (default: the latest)");
  cmd->add_option("--attempt", args->attempt, "Attempt (default: the latest)");
  cmd->add_flag("--follow,-f", args->follow,
                "Keep printing new lines until the attempt is over, then exit 0");
  add_state_option(cmd, &args->state, "State file or directory (default ./var/<workflow>.db)");
  cmd->add_option("--log-dir", args->log_dir, "Root of the per-task logs")->capture_default_str();
}

}  // namespace flowweaver
