// status --watch (status_watch.cpp).
#pragma once

#include <string>

#include "state/state_store.h"

namespace flowweaver {

// Shows the progress of run `run_id` of the state at `state_path` on stderr until the run is
// final (COMPLETED, FAILED or INTERRUPTED), and returns that status. Never writes to the state.
// Throws Error when the state cannot be read.
RunStatus watch_run(const std::string& state_path, const std::string& run_id);

}  // namespace flowweaver
