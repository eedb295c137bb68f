// Runs as the HTTP API shows them: GET /api/runs (a list) and GET /api/runs/ID (one run with
// its tasks and their attempts). docs/service.md documents the shapes.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "service/views/service_reader.h"

namespace flowweaver {

struct RunsQuery {
  std::string workflow;  // empty: every served workflow
  size_t limit = 50;
  std::optional<RunStatus> status;  // only the runs that have it; none: all
};

// Runs newest first, at most `query.limit`; nothing for a workflow not in service. Those listed
// enter the run index.
std::optional<nlohmann::json> runs_view(const ServiceReader& service, const RunsQuery& query);

// The run with its tasks (each with its output and attempt history) and host deaths; nothing
// when no served workflow's state holds it. Reads one state file when the run index knows the run.
std::optional<nlohmann::json> run_view(const ServiceReader& service, const std::string& run_id);

}  // namespace flowweaver
