// cancel: ends a run CANCELLED, whoever runs it. A run nobody runs (its process died, it was
// stopped, it failed) is recorded so at once; a run another process holds (a `flowweaver run`,
// or the service) is cancelled by that process, which it asks through a request beside the
// state and SIGUSR1 (state/cancel_request.h).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <filesystem>
#include <flowweaver/sdk.hpp>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "cli/state_command_support.h"
#include "state/cancel_request.h"
#include "state/cancelled_run.h"
#include "state/postgres_connection.h"
#include "state/state_location.h"
#include "state/state_store.h"
#include "state/writer_lock.h"
#include "util/time_format.h"
#include "workflow.h"

namespace flowweaver {
namespace {

// How often the process holding the state is asked to take the request, and looked at.
constexpr Millis kPoll{50};
constexpr Millis kResignal{500};

struct CancelArguments {
  std::string workflow;  // a manifest file, or a workflow's name
  std::string state, run_id;
  std::string timeout = "10s";  // for the holder to take the request
};

// The workflow's name: the manifest's if WORKFLOW is a file, else WORKFLOW itself.
std::string workflow_name(const std::string& workflow) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(workflow, ec)) {
    return read_manifest_for_state(workflow).name;
  }
  return workflow;
}

// The run to cancel: --run, else the workflow's latest. Throws Error::NotFound.
RunRecord find_run(StateStore& store, const std::string& path, const std::string& workflow,
                   const std::string& run_id) {
  if (!run_id.empty()) {
    std::optional<RunRecord> run = store.find_run(run_id);
    if (!run || run->workflow != workflow) {
      throw Error::NotFound("no run '" + run_id + "' of '" + workflow + "' in " +
                            url_without_password(path) + " (`flowweaver history` lists the runs)");
    }
    return *run;
  }
  std::optional<RunRecord> run = store.latest_run(workflow);
  if (!run)
    throw Error::NotFound("no run of '" + workflow + "' in " + url_without_password(path) +
                          "; nothing to cancel");
  return *run;
}

// Exit 1: there is nothing to do, and the operator should know why.
int refuse_closed(const RunRecord& run) {
  std::cerr << "error: " << closed_run_message(run) << "\n";
  return kExitTaskFailed;
}

// Cancels the run in the store this process now holds; nothing runs it.
int cancel_here(StateStore& store, const std::string& path, const std::string& workflow,
                const std::string& run_id) {
  RunRecord run = find_run(store, path, workflow, run_id);
  if (is_closed(run.status)) return refuse_closed(run);
  withdraw_cancel_request(path);  // one left by a sender that gave up: nobody will take it now
  RunStatus was = run.status;
  record_cancelled(store, run, std::chrono::system_clock::now());
  std::cout << "Run " << run.run_id << " of " << workflow << " was " << to_string(was)
            << " with no process running it; it is now CANCELLED. The next `flowweaver run` "
               "starts a new run.\n";
  return kExitOk;
}

bool process_alive(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

enum class Asked { kTaken, kHolderGone, kIgnored };

// Leaves the request and signals `pid` until it takes it, ends, or the time is up.
Asked ask_holder(const std::string& path, const std::string& run_id, long pid, Millis timeout) {
  write_cancel_request(path, run_id);
  auto start = std::chrono::steady_clock::now();
  auto last_signal = start - kResignal;
  while (std::chrono::steady_clock::now() - start < timeout) {
    if (!cancel_request_pending(path)) return Asked::kTaken;
    if (!process_alive(pid)) break;
    if (std::chrono::steady_clock::now() - last_signal >= kResignal) {
      ::kill(static_cast<pid_t>(pid), SIGUSR1);  // again: it may not have been listening yet
      last_signal = std::chrono::steady_clock::now();
    }
    std::this_thread::sleep_for(kPoll);
  }
  if (!cancel_request_pending(path)) return Asked::kTaken;
  withdraw_cancel_request(path);
  return process_alive(pid) ? Asked::kIgnored : Asked::kHolderGone;
}

// The run as another process holds it: that process is asked to cancel it.
int cancel_held(const std::string& path, const RunRecord& run, long pid, Millis timeout,
                bool* holder_gone) {
  switch (ask_holder(path, run.run_id, pid, timeout)) {
    case Asked::kTaken:
      std::cout << "Cancel requested: process " << pid << " is cancelling run " << run.run_id
                << " of " << run.workflow
                << "; its running tasks are cancelled (and written off after its grace period), "
                   "and the run ends CANCELLED.\n";
      return kExitOk;
    case Asked::kHolderGone:
      *holder_gone = true;
      return kExitOk;
    case Asked::kIgnored:
      break;
  }
  throw Error::State("process " + std::to_string(pid) + " holds the state " +
                     url_without_password(path) + " but did not take the request to cancel run " +
                     run.run_id + " within " + format_duration_spec(timeout) +
                     ": it is not running that run (a `reset` or `mark` holds the state only "
                     "briefly: try again), or it is not a flowweaver of this version");
}

int cancel_command(const CancelArguments& args) {
  return report_errors([&] {
    std::optional<Millis> timeout = parse_duration(args.timeout);
    if (!timeout) {
      throw Error::InvalidArgument("--timeout '" + args.timeout + "' is not a duration like 10s");
    }
    std::string workflow = workflow_name(args.workflow);
    std::string path =
        args.state.empty() ? default_state_path(workflow) : workflow_state(args.state, workflow);
    for (int tries = 0;; ++tries) {
      RunRecord run = find_run(*open_existing_state_store(path), path, workflow, args.run_id);
      if (is_closed(run.status)) return refuse_closed(run);
      std::unique_ptr<StateStore> store;
      try {
        store = open_existing_state_store(path, Access::kReadWrite);
      } catch (const StateInUse& e) {
        std::optional<long> holder = e.holder_pid();
        if (!holder || !process_alive(*holder) || tries > 2) throw;
        bool holder_gone = false;
        int code = cancel_held(path, run, *holder, *timeout, &holder_gone);
        if (!holder_gone) return code;
        continue;  // it ended meanwhile: look again
      }
      return cancel_here(*store, path, workflow, run.run_id);
    }
  });
}

}  // namespace

void add_cancel_command(CommandRegistry& commands) {
  auto args = std::make_shared<CancelArguments>();
  CLI::App* cmd = commands.add("cancel", "Cancel a run: it ends CANCELLED and is not resumed",
                               [args] { return cancel_command(*args); });
  cmd->add_option("WORKFLOW", args->workflow, "Workflow manifest, or a workflow's name")
      ->required();
  cmd->add_option("--run", args->run_id, "Run id (default: the workflow's latest run)");
  add_state_option(cmd, &args->state, "State file (default ./var/<workflow>.db)");
  cmd->add_option("--timeout", args->timeout,
                  "How long the process running it gets to take the request")
      ->capture_default_str();
}

}  // namespace flowweaver
