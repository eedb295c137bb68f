// Cancelling a run that no process is running (its process died, or it was stopped, or it
// failed): the state is simply written so.
#pragma once

#include <string>

#include "state/state_store.h"

namespace flowweaver {

// Stores `run` CANCELLED, finished at `now`, and returns it as stored. A task its dead process
// left RUNNING becomes PENDING, and its attempt is recorded FAILED, as a resume would do; other
// tasks are left as they are. The caller holds the state's writer lock (open_state_store) and
// has checked that the run is not closed (is_closed).
RunRecord record_cancelled(StateStore& store, RunRecord run, TimePoint now);

// Why a closed run cannot be cancelled, naming it and its status.
std::string closed_run_message(const RunRecord& run);

}  // namespace flowweaver
