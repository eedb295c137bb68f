// The served workflows as GET /api/workflows shows them: the manifest's name, description,
// schedule and params, the next fire time, the active run, and from the state the last run, the
// last success and the recent runs' outcomes (docs/service.md documents the shape).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>

#include "service/views/service_reader.h"

namespace flowweaver {

// How many of a workflow's latest runs `recent_runs` lists.
constexpr size_t kRecentRuns = 20;

// One read of each workflow's state, of at most kRecentRuns runs.
nlohmann::json workflows_view(const ServiceReader& service);

}  // namespace flowweaver
