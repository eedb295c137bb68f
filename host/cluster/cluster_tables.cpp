#include "cluster/cluster_tables.h"

namespace flowweaver {
namespace {

// task_claims: one row per attempt that the run's host hands to whichever host claims it
// (claim_queue.h). `token` comes from claim_tokens: every claim gets a new one, so a holder
// whose lease was taken back cannot write over its successor.
const char* kClaimTokens = "CREATE SEQUENCE IF NOT EXISTS claim_tokens";
const char* kTaskClaims = R"sql(
CREATE TABLE IF NOT EXISTS task_claims (
  id                BIGSERIAL PRIMARY KEY,
  run_id            TEXT NOT NULL,
  workflow          TEXT NOT NULL,
  manifest_hash     TEXT NOT NULL,
  task_name         TEXT NOT NULL,
  task_index        INTEGER NOT NULL,
  item              TEXT,
  attempt           INTEGER NOT NULL,
  inputs            TEXT NOT NULL,
  status            TEXT NOT NULL,
  holder            TEXT,
  token             BIGINT,
  lease_until       TIMESTAMPTZ,
  cancel_requested  BOOLEAN NOT NULL DEFAULT false,
  num_interruptions INTEGER NOT NULL DEFAULT 0,
  outcome           TEXT,
  output            TEXT,
  error             TEXT,
  retry_after_ms    BIGINT,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at       TIMESTAMPTZ
))sql";
const char* kReadyIndex =
    "CREATE INDEX IF NOT EXISTS task_claims_ready ON task_claims(id) WHERE status = 'ready'";
const char* kLeaseIndex =
    "CREATE INDEX IF NOT EXISTS task_claims_leased ON task_claims(lease_until) "
    "WHERE status = 'claimed'";
const char* kAttemptIndex =
    "CREATE INDEX IF NOT EXISTS task_claims_by_attempt ON task_claims(run_id, task_name, attempt)";

}  // namespace

void ensure_cluster_tables(PgConnection& db) {
  for (const char* sql : {kClaimTokens, kTaskClaims, kReadyIndex, kLeaseIndex, kAttemptIndex})
    db.exec("creating the cluster tables", sql);
}

}  // namespace flowweaver
