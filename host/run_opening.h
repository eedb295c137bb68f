// How a run begins: the workflow's unfinished run is resumed (its tasks' rows completed with
// any the manifest added, its parameters kept), or a new one is created with its parameters
// resolved once. The one place both `run` and the service open a run (engine.h).
#pragma once

#include <utility>
#include <vector>

#include "engine.h"
#include "state/state_store.h"

namespace spdlog {
class logger;
}

namespace flowweaver {

struct Workflow;

using OpenedRun = std::pair<RunRecord, std::vector<TaskRecord>>;

// Resumes the workflow's resumable run in `store` (unless options.fresh), or creates one; the
// run is stored RUNNING, with one task row per manifest task. Throws ParamsRefused when the
// given parameters do not fit (run_params.h), before anything is written.
OpenedRun open_run(StateStore& store, const Workflow& w, TimePoint now, spdlog::logger& log,
                   const ExecuteOptions& options);

}  // namespace flowweaver
