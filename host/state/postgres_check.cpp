// check_state() and back_up_state() for a PostgreSQL state: the checks SQLite's can make that
// mean something on a server (tables, schema version, runs left RUNNING); a backup is pg_dump's.
#include "state/postgres_connection.h"
#include "state/postgres_store.h"
#include "state/state_backup.h"
#include "state/state_check.h"
#include "util/error.h"

namespace flowweaver {
namespace {

const char* const kTables[] = {"runs", "tasks", "attempts", "schema_version"};

}  // namespace

StateCheck check_postgres_state(const std::string& url) {
  PgConnection db(url);
  db.exec("opening read-only", "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
  StateCheck r;
  r.backend = StateBackendKind::kPostgres;
  r.supported_version = PostgresStore::kSchemaVersion;
  for (const char* table : kTables) {
    PgResult found = db.exec("listing the tables", "SELECT to_regclass($1) IS NOT NULL", {table});
    (found.text(0, 0) == "t" ? r.tables : r.missing_tables).push_back(table);
  }
  if (r.tables.empty()) {
    throw Error::NotFound("no state at " + db.describe() +
                          " (the database has no FlowWeaver tables: nothing has run with it yet)");
  }
  r.schema_version = postgres_schema_version(db).value_or(0);
  // The server keeps its own pages sound (checksums, WAL); what is left to check is the schema.
  r.integrity = {"ok"};
  for (const std::string& table : r.missing_tables) {
    r.problems.push_back("table " + table + " is missing: restore the database from a backup");
  }
  if (r.schema_version > r.supported_version) {
    r.problems.push_back("schema version " + std::to_string(r.schema_version) +
                         " is newer than this flowweaver supports (" +
                         std::to_string(r.supported_version) + "): use a newer flowweaver");
  }
  if (!r.missing_tables.empty() || r.schema_version > r.supported_version) return r;
  PgResult size = db.exec("measuring the database",
                          "SELECT pg_total_relation_size('runs') + pg_total_relation_size('tasks') "
                          "+ pg_total_relation_size('attempts')");
  r.size_bytes = static_cast<uintmax_t>(size.number(0, 0));
  r.num_runs = db.exec("counting runs", "SELECT count(*) FROM runs").number(0, 0);
  PostgresStore store(url, PostgresStore::ReadOnly{});
  for (const RunRecord& run : store.list_runs("", static_cast<size_t>(*r.num_runs))) {
    if (run.status == RunStatus::kRunning) r.running.push_back(run);
  }
  return r;
}

StateBackup back_up_postgres_state(const std::string& url) {
  throw Error::InvalidArgument(
      "flowweaver backup copies state files; the state " + url_without_password(url) +
      " is a PostgreSQL database: back it up with pg_dump (e.g. pg_dump --format=custom "
      "--file=flowweaver.dump DBNAME), which takes a consistent copy while runs write to it");
}

}  // namespace flowweaver
