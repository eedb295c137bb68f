#include "cli/command_line.h"

#include <pthread.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <flowweaver/sdk.hpp>
#include <string>

#include "cli/command_registry.h"
#include "cli/commands.h"
#include "engine.h"
#include "plugin/plugin_file_check.h"

#ifndef FLOWWEAVER_VERSION
#define FLOWWEAVER_VERSION "0.0.0"
#endif

namespace flowweaver {
namespace {

// The subcommands, in the order --help lists them.
void add_commands(CommandRegistry& commands, const ServeEntry& serve_entry) {
  add_run_command(commands);
  add_validate_command(commands);
  add_plugins_command(commands);
  add_status_command(commands);
  add_history_command(commands);
  add_logs_command(commands);
  add_graph_command(commands);
  add_plan_command(commands);
  add_reset_command(commands);
  add_mark_command(commands);
  add_cancel_command(commands);
  add_check_command(commands);
  add_backup_command(commands);
  add_migrate_state_command(commands);
  add_serve_command(commands, serve_entry);
  add_new_plugin_command(commands);
}

// What the app itself takes, before or after the subcommand; `allow_insecure` is set by parsing.
void add_global_options(CLI::App& app, bool* allow_insecure) {
  app.set_version_flag("--version", std::string("flowweaver ") + FLOWWEAVER_VERSION +
                                        " (plugin ABI " + std::to_string(FLOWWEAVER_ABI_VERSION) +
                                        ")");
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand
  app.add_flag("--allow-insecure-plugins", *allow_insecure,
               "Load plugins even when they or their directory are writable by others or owned "
               "by another user (development only)")
      ->envname("FLOWWEAVER_ALLOW_INSECURE_PLUGINS");
}

}  // namespace

int run_command_line(int argc, char** argv, const ServeEntry& serve_entry) {
  // A write past RLIMIT_FSIZE then fails with EFBIG, reported like a full disk, instead of
  // killing the host without a word.
  std::signal(SIGXFSZ, SIG_IGN);
  // `flowweaver cancel` sends SIGUSR1 to whichever process holds a state's writer lock. `run`
  // and `serve` take it on their signal thread; a command that holds the lock only briefly
  // (reset, mark) must not die of it, so it stays blocked. Spawned processes get a clear mask.
  sigset_t cancel_signal;
  sigemptyset(&cancel_signal);
  sigaddset(&cancel_signal, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &cancel_signal, nullptr);
  CLI::App app{"FlowWeaver: runs YAML workflows of plugin tasks as a DAG with durable state"};
  bool allow_insecure = false;
  add_global_options(app, &allow_insecure);
  CommandRegistry commands(app);
  add_commands(commands, serve_entry);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitInvalid;
  }
  set_allow_insecure_plugins(allow_insecure);
  return commands.run_chosen();
}

}  // namespace flowweaver
