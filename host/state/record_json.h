// Runs as JSON: one spelling shared by the JSON state file and the `--json` output of the
// commands, so the two never drift apart.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "state/state_store.h"

namespace flowweaver {

// An ISO 8601 timestamp, or null.
nlohmann::json time_to_json(const std::optional<TimePoint>& t);
std::optional<TimePoint> time_from_json(const nlohmann::json& object, const char* key);

// {run_id, workflow, status, started_at, finished_at, manifest_hash}
nlohmann::json run_to_json(const RunRecord& run);
RunRecord run_from_json(const nlohmann::json& object);
// {run_id, status, finished_at}: how a run ended, for the "run" event of GET /api/runs/ID/events.
nlohmann::json run_status_json(const RunRecord& run);

// A task's row as operators read it (status, attempts, error, times, duration_ms): the shape of
// `status --json` and of the HTTP API.
nlohmann::json task_summary_json(const TaskRecord& task);

}  // namespace flowweaver
