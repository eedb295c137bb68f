// Which host runs each workflow now, cluster-wide (cluster_active_runs): the writer lock of the
// workflow's state is what keeps a second run out; this row only names the holder, so that a
// refused request can say where the run is. A row outlives a host killed mid-run; the next
// host to run the workflow takes it over.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "state/postgres_connection.h"

namespace flowweaver {

struct ClusterActiveRun {
  std::string workflow;
  std::string host_id;
  std::string run_id;  // empty until the run has opened
};

// Records that `host_id` runs `workflow` (call with its writer lock held); `run_id` may be empty
// and set later by another call.
void record_active_run(PgConnection& db, const std::string& workflow, const std::string& host_id,
                       const std::string& run_id);

// Removes `workflow`'s row if `host_id` still holds it.
void forget_active_run(PgConnection& db, const std::string& workflow, const std::string& host_id);

// The row of `workflow`, if any.
std::optional<ClusterActiveRun> find_active_run(PgConnection& db, const std::string& workflow);

// The workflows whose latest run (not a sub-workflow's) is RUNNING or INTERRUPTED while no host
// alive records it as its own: its host died or stopped (a host is alive while its heartbeat is
// younger than `alive_within`, on the database's clock). Another host may resume it.
std::vector<std::string> orphaned_workflows(PgConnection& db, std::chrono::seconds alive_within);

// Every opened run other hosts than `host_id` record as theirs.
std::vector<ClusterActiveRun> active_runs_elsewhere(PgConnection& db, const std::string& host_id);

}  // namespace flowweaver
