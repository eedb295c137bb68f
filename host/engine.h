// The one place that wires a run together: manifest and plugins, state store, resume decision,
// scheduler, logging, summary.
#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "state/state_store.h"
#include "util/clock.h"

namespace flowweaver {

// Exit codes of `flowweaver run`, documented in the README.
enum ExitCode : int {
  kExitOk = 0,
  kExitTaskFailed = 1,
  kExitInvalid = 2,  // invalid manifest or usage
  kExitRuntime = 3,  // the run could not go on: state store or environment error
  kExitSigint = 130,
  kExitSigterm = 143,
};

struct RunOptions {
  std::string manifest_file;
  std::string state_path;  // empty: default_state_path(workflow name)
  std::optional<int> max_workers;
  bool fresh = false;
  std::vector<std::filesystem::path> plugin_dirs;  // the full search path
  std::string log_file;
  std::string log_level = "info";  // debug, info, warn or error
  Millis grace_period{10000};
  Durability durability = Durability::kNormal;
};

// Lets a signal-handling thread stop the run: the engine installs its stop function, and a
// signal that came before that is delivered on installation.
class StopSwitch {
 public:
  // Returns the signal number that stopped the run, or 0.
  int signal() const;
  void trigger(int signal);
  void install(std::function<void()> stop);
  void uninstall();

 private:
  mutable std::mutex mutex_;
  int signal_ = 0;
  std::function<void()> stop_;
};

struct RunReport {
  int exit_code = kExitOk;
  bool abandoned_calls = false;  // the process must exit without unloading plugins
};

RunReport run_workflow(const RunOptions& options, StopSwitch& stop_switch);

}  // namespace flowweaver
