#include "cli/command_line.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <flowweaver/sdk.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/signal_thread.h"
#include "engine.h"
#include "plugin/plugin_file_check.h"
#include "plugin/plugin_registry.h"

#ifndef FLOWWEAVER_VERSION
#define FLOWWEAVER_VERSION "0.0.0"
#endif

namespace {

using flowweaver::PathList;

// The first SIGINT or SIGTERM stops the run gracefully; a second one ends the process at once
// (state stays consistent: only committed transactions count).
void start_signal_thread(flowweaver::StopSwitch& stop_switch) {
  auto count = std::make_shared<int>(0);
  flowweaver::handle_signals_on_thread({SIGINT, SIGTERM}, [&stop_switch, count](int signal) {
    if (++*count > 1) std::_Exit(128 + signal);
    std::cerr << "received " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
              << ": stopping (send it again to exit at once)\n";
    stop_switch.trigger(signal);
  });
}

void add_plugin_dir_option(CLI::App* cmd, PathList* dirs) {
  cmd->add_option("--plugin-dir", *dirs,
                  "Directory of plugin .so files, searched before FLOWWEAVER_PLUGIN_PATH and the "
                  "installed default (repeatable)");
}

flowweaver::Durability parse_durability(const std::string& text) {
  return text == "full" ? flowweaver::Durability::kFull : flowweaver::Durability::kNormal;
}

}  // namespace

namespace flowweaver {

int run_command_line(int argc, char** argv, const ServeEntry& serve_entry) {
  // A write past RLIMIT_FSIZE then fails with EFBIG, reported like a full disk, instead of
  // killing the host without a word.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"FlowWeaver: runs YAML workflows of plugin tasks as a DAG with durable state"};
  app.set_version_flag("--version", std::string("flowweaver ") + FLOWWEAVER_VERSION +
                                        " (plugin ABI " + std::to_string(FLOWWEAVER_ABI_VERSION) +
                                        ")");
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand
  bool allow_insecure = false;
  app.add_flag("--allow-insecure-plugins", allow_insecure,
               "Load plugins even when they or their directory are writable by others or owned "
               "by another user (development only)")
      ->envname("FLOWWEAVER_ALLOW_INSECURE_PLUGINS");

  flowweaver::RunOptions run;
  std::string grace = "10s", durability = "normal";
  PathList plugin_dirs;
  CLI::App* run_cmd = app.add_subcommand("run", "Validate a workflow, then run or resume it");
  run_cmd->add_option("FILE", run.manifest_file, "Workflow manifest (YAML)")->required();
  run_cmd->add_option("--state", run.state_path,
                      "State file (default ./var/<workflow>.db; a .json path uses a JSON file)");
  run_cmd->add_option("--max-workers", run.max_workers, "Tasks run at once (default: cores)")
      ->check(CLI::Range(1, 1024));
  run_cmd->add_flag("--fresh", run.fresh, "Start a new run even if the last one is unfinished");
  run_cmd->add_option("--log-file", run.log_file, "Also write the log to this file");
  run_cmd
      ->add_option("--grace-period", grace,
                   "How long cancelled tasks get to stop (timeouts, SIGTERM)")
      ->capture_default_str();
  run_cmd
      ->add_option("--durability", durability,
                   "normal: survives kill -9; full: also survives power loss")
      ->capture_default_str()
      ->check(CLI::IsMember({"normal", "full"}));
  run_cmd
      ->add_option("--log-level", run.log_level,
                   "debug, info (every task start, finish, retry), warn (problems only), error")
      ->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  add_plugin_dir_option(run_cmd, &plugin_dirs);

  std::string file, state, run_id, task, describe, workflow, dest;
  bool json = false, fresh = false;
  size_t limit = 20;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check a manifest; run nothing");
  validate_cmd->add_option("FILE", file, "Workflow manifest")->required();
  add_plugin_dir_option(validate_cmd, &plugin_dirs);

  CLI::App* plugins_cmd = app.add_subcommand("plugins", "List the plugins found and their tasks");
  plugins_cmd->add_option("--describe", describe, "Show one plugin's task types and parameters");
  plugins_cmd->add_flag("--json", json, "Machine-readable output");
  add_plugin_dir_option(plugins_cmd, &plugin_dirs);

  CLI::App* status_cmd = app.add_subcommand("status", "Show the tasks of a run");
  status_cmd->add_option("FILE", file, "Workflow manifest (to find its state)");
  status_cmd->add_option("--state", state,
                         "State file, or a directory of <workflow>.db files (then, without "
                         "--workflow or --run: the latest run of each workflow)");
  status_cmd->add_option("--workflow", workflow, "Workflow name (instead of FILE)");
  status_cmd->add_option("--run", run_id, "Run id (default: the latest)");
  status_cmd->add_flag("--json", json, "Machine-readable output");

  CLI::App* history_cmd = app.add_subcommand("history", "List runs, newest first");
  history_cmd->add_option("FILE", file, "Workflow manifest (to find its state)");
  history_cmd->add_option("--state", state, "State file, or a directory of <workflow>.db files");
  history_cmd->add_option("--workflow", workflow, "Only this workflow's runs (instead of FILE)");
  history_cmd->add_option("--limit", limit, "How many runs")->capture_default_str();
  history_cmd->add_flag("--json", json, "Machine-readable output");

  CLI::App* graph_cmd = app.add_subcommand("graph", "Print the task graph in Graphviz DOT");
  graph_cmd->add_option("FILE", file, "Workflow manifest")->required();
  add_plugin_dir_option(graph_cmd, &plugin_dirs);

  CLI::App* plan_cmd = app.add_subcommand("plan", "Show what `run` would do now; run nothing");
  plan_cmd->add_option("FILE", file, "Workflow manifest")->required();
  plan_cmd->add_option("--state", state, "State file");
  plan_cmd->add_flag("--fresh", fresh, "Plan a new run");
  plan_cmd->add_flag("--json", json, "Machine-readable output");
  add_plugin_dir_option(plan_cmd, &plugin_dirs);

  CLI::App* reset_cmd =
      app.add_subcommand("reset", "Clear a task and its dependents so the next run reruns them");
  reset_cmd->add_option("FILE", file, "Workflow manifest")->required();
  reset_cmd->add_option("TASK", task, "Task name")->required();
  reset_cmd->add_option("--state", state, "State file");

  CLI::App* check_cmd = app.add_subcommand(
      "check", "Check a state file (integrity, schema version, runs left RUNNING); read-only");
  check_cmd->add_option("--state", state, "State file")->required();
  check_cmd->add_flag("--json", json, "Machine-readable output");

  CLI::App* backup_cmd =
      app.add_subcommand("backup", "Copy a state file consistently, even while a run writes to it");
  backup_cmd->add_option("--state", state, "State file")->required();
  backup_cmd->add_option("DEST", dest, "The backup file to write (replaced atomically)")
      ->required();

  flowweaver::ServeOptions serve;
  CLI::App* serve_cmd = app.add_subcommand(
      "serve", "Run as a service: schedules, HTTP health/metrics/API, hot plugin deployment");
  serve_cmd->add_option("--config", serve.config_file,
                        "Host config (YAML); without it every setting has its default");
  serve_cmd->add_option("--listen", serve.listen,
                        "ADDR:PORT to serve HTTP on, overriding the config (port 0: any free one)");
  serve_cmd->add_option("--log-level", serve.log_level, "debug, info, warn or error")
      ->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  add_plugin_dir_option(serve_cmd, &serve.plugin_dirs);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : flowweaver::kExitInvalid;
  }

  flowweaver::set_allow_insecure_plugins(allow_insecure);
  PathList search_path = flowweaver::plugin_search_path(plugin_dirs);
  if (*run_cmd) {
    auto grace_ms = flowweaver::parse_duration(grace);
    if (!grace_ms) {
      std::cerr << "error: --grace-period '" << grace << "' is not a duration like 10s\n";
      return flowweaver::kExitInvalid;
    }
    run.grace_period = *grace_ms;
    run.durability = parse_durability(durability);
    run.plugin_dirs = search_path;
    flowweaver::StopSwitch stop_switch;
    start_signal_thread(stop_switch);
    flowweaver::RunReport report = flowweaver::run_workflow(run, stop_switch);
    if (report.abandoned_calls) {
      // A plugin call is still running on some thread: unloading its library would crash it.
      std::cout.flush();
      std::_Exit(report.exit_code);
    }
    return report.exit_code;
  }
  if (*serve_cmd) return serve_entry(serve);
  if (*validate_cmd) return flowweaver::validate_command(file, search_path);
  if (*plugins_cmd) return flowweaver::plugins_command(search_path, describe, json);
  if (*graph_cmd) return flowweaver::graph_command(file, search_path);
  if (*status_cmd) return flowweaver::status_command(file, state, run_id, json, workflow);
  if (*history_cmd) return flowweaver::history_command(file, state, limit, json, workflow);
  if (*plan_cmd) return flowweaver::plan_command(file, state, fresh, search_path, json);
  if (*reset_cmd) return flowweaver::reset_command(file, task, state);
  if (*check_cmd) return flowweaver::check_command(state, json);
  if (*backup_cmd) return flowweaver::backup_command(state, dest);
  return flowweaver::kExitInvalid;
}

}  // namespace flowweaver
