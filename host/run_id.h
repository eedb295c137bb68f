// Run ids: `YYYYMMDDTHHMMSSmmm-xxxxxx`, the run's start time (UTC, to the millisecond) and six
// hex digits. Safe as a file name (a run's log is `<run id>.log`) and in a URL; ids of runs
// started in different milliseconds sort by start time.
#pragma once

#include <cstdint>
#include <string>

#include "state/state_store.h"
#include "util/clock.h"

namespace flowweaver {

// A run id for a run starting at `started` that no run in `store` has. Unique by construction
// as long as the caller holds the state's writer lock (open_state_store) until it has created
// the run: the store cannot gain a run in between. The suffix starts at `random_start` (only its
// low 24 bits count) and steps by one past ids already taken, so ids of runs in different states
// (other workflows, which the service looks up together) started in the same millisecond differ
// unless two random starts are within a few steps of each other. Throws Error::State when every
// suffix of that millisecond is taken.
std::string new_run_id(StateStore& store, TimePoint started, uint32_t random_start);

}  // namespace flowweaver
