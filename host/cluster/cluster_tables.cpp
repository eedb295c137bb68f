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

}  // namespace

void ensure_cluster_tables(PgConnection& db) {
  db.in_transaction([&] {
    db.exec("locking the schema", "SELECT pg_advisory_xact_lock(hashtext($1))", {kSchemaLockKey});
    for (const char* table : kTables) db.exec("creating the cluster tables", table);
  });
}

}  // namespace flowweaver
