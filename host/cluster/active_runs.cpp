#include "cluster/active_runs.h"

namespace flowweaver {

void record_active_run(PgConnection& db, const std::string& workflow, const std::string& host_id,
                       const std::string& run_id) {
  PgParam run;
  if (!run_id.empty()) run = run_id;
  db.exec("recording the workflow's active run",
          "INSERT INTO cluster_active_runs (workflow, host_id, run_id, started_at) "
          "VALUES ($1, $2, $3, now()) ON CONFLICT (workflow) DO UPDATE SET host_id = $2, "
          "run_id = $3, started_at = CASE WHEN $3::text IS NULL THEN now() "
          "ELSE cluster_active_runs.started_at END",
          {workflow, host_id, run});
}

void forget_active_run(PgConnection& db, const std::string& workflow, const std::string& host_id) {
  db.exec("removing the workflow's active run",
          "DELETE FROM cluster_active_runs WHERE workflow = $1 AND host_id = $2",
          {workflow, host_id});
}

std::optional<ClusterActiveRun> find_active_run(PgConnection& db, const std::string& workflow) {
  PgResult r = db.exec("finding the workflow's active run",
                       "SELECT workflow, host_id, run_id FROM cluster_active_runs "
                       "WHERE workflow = $1",
                       {workflow});
  if (r.rows() == 0) return std::nullopt;
  return ClusterActiveRun{r.text(0, 0), r.text(0, 1), r.text(0, 2)};
}

std::vector<std::string> orphaned_workflows(PgConnection& db, std::chrono::seconds alive_within) {
  PgResult made = db.exec("finding runs no host runs", "SELECT to_regclass('runs') IS NOT NULL");
  if (made.text(0, 0) != "t") return {};  // no run was ever opened in this database
  PgResult r = db.exec(
      "finding runs no host runs",
      "SELECT r.workflow FROM runs r "
      "WHERE r.status IN ('RUNNING', 'INTERRUPTED') AND r.parent_run_id IS NULL "
      "AND NOT EXISTS (SELECT 1 FROM runs later WHERE later.workflow = r.workflow "
      "                AND later.seq > r.seq) "
      "AND NOT EXISTS (SELECT 1 FROM cluster_active_runs a "
      "                JOIN cluster_hosts h ON h.host_id = a.host_id "
      "                WHERE a.workflow = r.workflow "
      "                AND h.last_seen > now() - make_interval(secs => $1::double precision)) "
      "ORDER BY r.workflow",
      {std::to_string(alive_within.count())});
  std::vector<std::string> workflows;
  for (int row = 0; row < r.rows(); ++row) workflows.push_back(r.text(row, 0));
  return workflows;
}

std::vector<ClusterActiveRun> active_runs_elsewhere(PgConnection& db, const std::string& host_id) {
  PgResult r = db.exec("reading the other hosts' active runs",
                       "SELECT workflow, host_id, run_id FROM cluster_active_runs "
                       "WHERE host_id <> $1 AND run_id IS NOT NULL ORDER BY workflow",
                       {host_id});
  std::vector<ClusterActiveRun> runs;
  for (int row = 0; row < r.rows(); ++row) {
    runs.push_back({r.text(row, 0), r.text(row, 1), r.text(row, 2)});
  }
  return runs;
}

}  // namespace flowweaver
