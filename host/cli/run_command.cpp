// run: the command line of engine.h's run_workflow, with the signals that stop a run.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <flowweaver/sdk.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "cli/signal_thread.h"
#include "engine.h"
#include "plugin/plugin_registry.h"
#include "progress/terminal_status.h"

namespace flowweaver {
namespace {

// What `run` was given, as typed: the grace period and durability are parsed once chosen.
struct RunArguments {
  RunOptions run;
  std::string grace = "10s";
  std::string durability = "normal";
  PathList plugin_dirs;
  bool no_progress = false;
};

// The first SIGINT or SIGTERM stops the run gracefully; a second one ends the process at once
// (state stays consistent: only committed transactions count). SIGUSR1 says that `flowweaver
// cancel` left a cancel request beside the state (state/cancel_request.h). With a progress line
// on the terminal, a message first erases it (it is redrawn below).
void start_signal_thread(StopSwitch& stop_switch, bool progress) {
  auto count = std::make_shared<int>(0);
  const char* erase = progress ? "\r\x1b[K" : "";
  handle_signals_on_thread({SIGINT, SIGTERM, SIGUSR1}, [&stop_switch, count, erase](int signal) {
    if (signal == SIGUSR1) {
      if (stop_switch.take_cancel_request())
        std::cerr << erase << "cancel requested: cancelling the run\n";
      return;
    }
    if (++*count > 1) std::_Exit(128 + signal);
    std::cerr << erase << "received " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
              << ": stopping (send it again to exit at once)\n";
    stop_switch.trigger(signal);
  });
}

Durability parse_durability(const std::string& text) {
  return text == "full" ? Durability::kFull : Durability::kNormal;
}

int run_command(RunArguments& args) {
  auto grace_ms = parse_duration(args.grace);
  if (!grace_ms) {
    std::cerr << "error: --grace-period '" << args.grace << "' is not a duration like 10s\n";
    return kExitInvalid;
  }
  RunOptions& run = args.run;
  run.grace_period = *grace_ms;
  run.durability = parse_durability(args.durability);
  run.plugin_dirs = plugin_search_path(args.plugin_dirs);
  run.progress = !args.no_progress && TerminalStatus::usable(STDERR_FILENO);
  StopSwitch stop_switch;
  start_signal_thread(stop_switch, run.progress);
  RunReport report = run_workflow(run, stop_switch);
  if (report.abandoned_calls) {
    // A plugin call is still running on some thread: unloading its library would crash it.
    std::cout.flush();
    std::_Exit(report.exit_code);
  }
  return report.exit_code;
}

}  // namespace

void add_run_command(CommandRegistry& commands) {
  auto args = std::make_shared<RunArguments>();
  CLI::App* cmd = commands.add("run", "Validate a workflow, then run or resume it",
                               [args] { return run_command(*args); });
  RunOptions& run = args->run;
  cmd->add_option("FILE", run.manifest_file, "Workflow manifest (YAML)")->required();
  add_state_option(cmd, &run.state_path,
                   "State file (default ./var/<workflow>.db; a .json path uses a JSON file)");
  cmd->add_option("--max-workers", run.max_workers, "Tasks run at once (default: cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--fresh", run.fresh, "Start a new run even if the last one is unfinished");
  cmd->add_option("--param", run.param_assignments,
                  "A parameter's value for a new run, NAME=VALUE (repeatable; typed as declared)")
      ->take_all()
      ->allow_extra_args(false);
  cmd->add_option("--pool", run.pool_assignments,
                  "A pool's slots for this run, NAME=N (repeatable): at most N of the tasks "
                  "with `pool: NAME` run at once")
      ->take_all()
      ->allow_extra_args(false);
  cmd->add_option("--param-file", run.param_file,
                  "A JSON object of parameter values (a --param wins over it)");
  cmd->add_flag("--no-progress", args->no_progress,
                "On a terminal, print the log lines instead of a live progress line");
  cmd->add_option("--log-file", run.log_file, "Also write the log to this file");
  cmd->add_option("--log-dir", run.log_dir,
                  "Per-task logs: <dir>/<workflow>/<run id>/<task>.<attempt>.log ('' for none)")
      ->capture_default_str();
  cmd->add_option("--grace-period", args->grace,
                  "How long cancelled tasks get to stop (timeouts, SIGTERM)")
      ->capture_default_str();
  cmd->add_option("--durability", args->durability,
                  "normal: survives kill -9; full: also survives power loss")
      ->capture_default_str()
      ->check(CLI::IsMember({"normal", "full"}));
  add_log_level_option(
      cmd, &run.log_level,
      "debug, info (every task start, finish, retry), warn (problems only), error");
  add_plugin_dir_option(cmd, &args->plugin_dirs);
}

}  // namespace flowweaver
