// Finding the served workflow whose state holds a run, given only the run's id: the one the
// run index names when it names one and its state still holds the run, else each served
// workflow in turn (and the index remembers where the run was found).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "service/views/service_reader.h"

namespace flowweaver {

// Calls `read` with a workflow's state until it returns true: it found `run_id` there (and read
// what it needed). Returns that workflow, or nothing when no served workflow holds the run.
// Throws what `read` throws.
std::optional<std::string> read_run_state(const ServiceReader& service, const std::string& run_id,
                                          const std::function<bool(StateStore&)>& read);

}  // namespace flowweaver
