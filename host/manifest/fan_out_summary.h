// A fan-out task in one line, as `graph` and `plan` show it (a fan-out task stays one node):
// its number of calls when the manifest tells it, else the reference its list comes from.
#pragma once

#include <string>

#include "manifest/manifest.h"

namespace flowweaver {

// "foreach: 3 items", "foreach: 250 items in 3 batches of 100", "matrix: 4 combinations",
// "foreach ${tasks.list.output.lines}" (and " in batches of 100"), each followed by ", at most N at
// once" under `max_parallel:`; "" for a task without `foreach:` or `matrix:`.
std::string fan_out_summary(const TaskSpec& task);

}  // namespace flowweaver
