#include "cluster/cluster_tables.h"

namespace flowweaver {
namespace {

// Times the hosts compare are the database's (timestamptz, set with now()): the hosts' own
// clocks may differ. A fire time is the schedule's, ISO 8601 text as the store keeps times.
const char* const kTables[] = {
    R"sql(CREATE TABLE IF NOT EXISTS cluster_hosts (
  host_id    TEXT PRIMARY KEY,
  started_at TIMESTAMPTZ NOT NULL,
  last_seen  TIMESTAMPTZ NOT NULL,
  pid        BIGINT NOT NULL,
  hostname   TEXT NOT NULL,
  version    TEXT NOT NULL,
  listen     TEXT NOT NULL
))sql",
    R"sql(CREATE TABLE IF NOT EXISTS schedule_fires (
  workflow  TEXT NOT NULL,
  fire_time TEXT NOT NULL,
  host_id   TEXT NOT NULL,
  run_id    TEXT,
  fired_at  TIMESTAMPTZ NOT NULL,
  UNIQUE (workflow, fire_time)
))sql",
    R"sql(CREATE TABLE IF NOT EXISTS cluster_active_runs (
  workflow   TEXT PRIMARY KEY,
  host_id    TEXT NOT NULL,
  run_id     TEXT,
  started_at TIMESTAMPTZ NOT NULL
))sql",
    R"sql(CREATE TABLE IF NOT EXISTS run_plugins (
  run_id TEXT NOT NULL,
  plugin TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (run_id, plugin)
))sql",
};

// PostgresStore's schema lock (postgres_store.cpp): one creator at a time.
constexpr const char* kSchemaLockKey = "flowweaver schema";

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

void create_missing_cluster_tables(PgConnection& db) {
  for (const char* table : kTables) db.exec("creating the cluster tables", table);
  for (const char* sql : {kClaimTokens, kTaskClaims, kReadyIndex, kLeaseIndex, kAttemptIndex}) {
    db.exec("creating the cluster tables", sql);
  }
}

void ensure_cluster_tables(PgConnection& db) {
  db.in_transaction([&] {
    db.exec("locking the schema", "SELECT pg_advisory_xact_lock(hashtext($1))", {kSchemaLockKey});
    create_missing_cluster_tables(db);
  });
}

}  // namespace flowweaver
