#include "state/postgres_store.h"

#include <chrono>
#include <string_view>
#include <unordered_set>

#include "cluster/cluster_tables.h"
#include "util/error.h"
#include "util/time_format.h"

namespace flowweaver {
namespace {

// Version 6 of SQLite's schema, in PostgreSQL's types: times stay ISO 8601 text as SQLite keeps
// them, so the operating guide's queries read the same. `runs.seq` orders runs as created
// (SQLite's rowid). `schema_version` holds one row, SQLite's `PRAGMA user_version`.
const char* kSchema = R"sql(
CREATE TABLE runs (
  seq             BIGSERIAL NOT NULL UNIQUE,
  run_id          TEXT PRIMARY KEY,
  workflow        TEXT NOT NULL,
  status          TEXT NOT NULL,
  started_at      TEXT NOT NULL,
  finished_at     TEXT,
  manifest_hash   TEXT NOT NULL,
  params          TEXT,
  parent_run_id   TEXT,
  parent_task     TEXT,
  parent_workflow TEXT
);
CREATE INDEX runs_by_workflow ON runs(workflow, seq);
CREATE INDEX runs_unfinished ON runs(run_id) WHERE status = 'RUNNING';
CREATE INDEX runs_by_parent ON runs(parent_run_id, parent_task) WHERE parent_run_id IS NOT NULL;
CREATE TABLE tasks (
  run_id          TEXT NOT NULL,
  task_name       TEXT NOT NULL,
  position        INTEGER NOT NULL,
  status          TEXT NOT NULL,
  attempt         INTEGER NOT NULL DEFAULT 0,
  result          TEXT,
  error           TEXT,
  timestamp       TEXT NOT NULL,
  started_at      TEXT,
  finished_at     TEXT,
  next_attempt_at TEXT,
  PRIMARY KEY (run_id, task_name)
);
CREATE TABLE attempts (
  run_id      TEXT NOT NULL,
  task_name   TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  status      TEXT NOT NULL,
  error       TEXT,
  started_at  TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  duration_ms BIGINT NOT NULL,
  PRIMARY KEY (run_id, task_name, attempt)
);
CREATE TABLE schema_version (version INTEGER NOT NULL);
)sql";

// Two writers creating the schema of one new database at once would both try to; the first
// takes this transaction-scoped lock, the second then finds the schema made.
constexpr const char* kSchemaLockKey = "flowweaver schema";

PgParam text_or_null(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}

PgParam optional_time(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return format_timestamp(*t);
}

std::optional<TimePoint> column_time(const PgResult& r, int row, int column) {
  if (r.is_null(row, column)) return std::nullopt;
  return parse_timestamp(r.text(row, column));
}

RunRecord read_run(const PgResult& r, int row) {
  RunRecord run;
  run.run_id = r.text(row, 0);
  run.workflow = r.text(row, 1);
  run.status = parse_run_status(r.text(row, 2)).value_or(RunStatus::kFailed);
  run.started_at = column_time(r, row, 3).value_or(TimePoint{});
  run.finished_at = column_time(r, row, 4);
  run.manifest_hash = r.text(row, 5);
  if (!r.is_null(row, 6)) {
    nlohmann::json params = nlohmann::json::parse(r.text(row, 6), nullptr, false);
    if (params.is_object()) run.params = std::move(params);
  }
  if (!r.is_null(row, 7)) run.parent = RunParent{r.text(row, 7), r.text(row, 8), r.text(row, 9)};
  return run;
}

Error newer_schema_error(const std::string& where, int version) {
  return Error::State("state database " + where + " has schema version " + std::to_string(version) +
                      ", newer than this flowweaver understands (" +
                      std::to_string(PostgresStore::kSchemaVersion) +
                      "); use a newer flowweaver. The database was not changed.");
}

const char* kUpsertTask =
    "INSERT INTO tasks (run_id, task_name, position, status, attempt, result, error, timestamp, "
    "started_at, finished_at, next_attempt_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
    "ON CONFLICT (run_id, task_name) DO UPDATE SET position = $3, status = $4, attempt = $5, "
    "result = $6, error = $7, timestamp = $8, started_at = $9, finished_at = $10, "
    "next_attempt_at = $11";

const char* kInsertAttempt =
    "INSERT INTO attempts (run_id, task_name, attempt, status, error, started_at, finished_at, "
    "duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

std::vector<PgParam> task_row(const std::string& run_id, const TaskRecord& t) {
  return {run_id,
          t.task_name,
          std::to_string(t.position),
          to_string(t.status),
          std::to_string(t.attempt),
          text_or_null(t.result),
          text_or_null(t.error),
          format_timestamp(t.timestamp),
          optional_time(t.started_at),
          optional_time(t.finished_at),
          optional_time(t.next_attempt_at)};
}

std::vector<PgParam> attempt_row(const std::string& run_id, const AttemptRecord& a) {
  // Of the times as stored (to the millisecond), as SQLite's store computes it.
  auto stored_ms = [](TimePoint t) {
    return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
  };
  return {run_id,
          a.task_name,
          std::to_string(a.attempt),
          to_string(a.status),
          text_or_null(a.error),
          format_timestamp(a.started_at),
          format_timestamp(a.finished_at),
          std::to_string(stored_ms(a.finished_at) - stored_ms(a.started_at))};
}

}  // namespace

std::optional<int> postgres_schema_version(PgConnection& db) {
  PgResult exists =
      db.exec("reading the schema version", "SELECT to_regclass('schema_version') IS NOT NULL");
  if (exists.text(0, 0) != "t") return std::nullopt;
  PgResult version =
      db.exec("reading the schema version", "SELECT max(version) FROM schema_version");
  if (version.is_null(0, 0)) return std::nullopt;
  return static_cast<int>(version.number(0, 0));
}

PostgresStore::PostgresStore(const std::string& url) : db_(url) { migrate(); }

PostgresStore::PostgresStore(const std::string& url, ReadOnly) : db_(url) {
  db_.exec("opening read-only", "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
  std::optional<int> version = postgres_schema_version(db_);
  if (!version) {
    throw Error::NotFound("no state at " + db_.describe() +
                          " (nothing has run with this state yet: the database has no FlowWeaver "
                          "tables)");
  }
  if (*version > kSchemaVersion) throw newer_schema_error(db_.describe(), *version);
}

// Only version 6 exists in PostgreSQL so far: a new database gets it at once. A later version
// adds its step here, run in the same transaction, as SQLite's migrate() does.
void PostgresStore::migrate() {
  db_.in_transaction([&] {
    db_.exec("locking the schema", "SELECT pg_advisory_xact_lock(hashtext($1))", {kSchemaLockKey});
    std::optional<int> version = postgres_schema_version(db_);
    if (version && *version > kSchemaVersion) throw newer_schema_error(db_.describe(), *version);
    if (version) {
      create_missing_cluster_tables(db_);  // a database made before they existed gains them
      return;
    }
    PgResult tables = db_.exec("creating the schema",
                               "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                               "AND tablename IN ('runs', 'tasks', 'attempts')");
    if (tables.number(0, 0) != 0) {
      throw Error::State("state database " + db_.describe() +
                         " has tables named runs, tasks or attempts but no FlowWeaver "
                         "schema_version: it is not a FlowWeaver state; give another database");
    }
    db_.exec_script("creating the schema", kSchema);
    db_.exec("creating the schema", "INSERT INTO schema_version (version) VALUES ($1)",
             {std::to_string(kSchemaVersion)});
    create_missing_cluster_tables(db_);
  });
}

std::vector<RunRecord> PostgresStore::query_runs(const std::string& where,
                                                 std::vector<PgParam> args, size_t limit) {
  args.push_back(std::to_string(limit));
  PgResult r = db_.exec("reading runs",
                        "SELECT run_id, workflow, status, started_at, finished_at, manifest_hash, "
                        "params, parent_run_id, parent_task, parent_workflow FROM runs " +
                            where + " ORDER BY seq DESC LIMIT $" + std::to_string(args.size()),
                        args);
  std::vector<RunRecord> runs;
  for (int row = 0; row < r.rows(); ++row) runs.push_back(read_run(r, row));
  return runs;
}

std::optional<RunRecord> PostgresStore::latest_run(const std::string& workflow) {
  auto runs = query_runs("WHERE workflow = $1", {workflow}, 1);
  if (runs.empty()) return std::nullopt;
  return runs.front();
}

std::optional<RunRecord> PostgresStore::find_run(const std::string& run_id) {
  auto runs = query_runs("WHERE run_id = $1", {run_id}, 1);
  if (runs.empty()) return std::nullopt;
  return runs.front();
}

std::vector<RunRecord> PostgresStore::list_runs(const std::string& workflow, size_t limit) {
  if (workflow.empty()) return query_runs("", {}, limit);
  return query_runs("WHERE workflow = $1", {workflow}, limit);
}

std::optional<RunRecord> PostgresStore::find_child_run(const std::string& parent_run_id,
                                                       const std::string& parent_task) {
  auto runs =
      query_runs("WHERE parent_run_id = $1 AND parent_task = $2", {parent_run_id, parent_task}, 1);
  if (runs.empty()) return std::nullopt;
  return runs.front();
}

void PostgresStore::insert_run(const RunRecord& run, const std::vector<TaskRecord>& tasks) {
  db_.exec("creating a run",
           "INSERT INTO runs (run_id, workflow, status, started_at, finished_at, manifest_hash, "
           "params, parent_run_id, parent_task, parent_workflow) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
           {run.run_id, run.workflow, to_string(run.status), format_timestamp(run.started_at),
            optional_time(run.finished_at), run.manifest_hash,
            run.params ? PgParam(run.params->dump()) : std::nullopt,
            run.parent ? PgParam(run.parent->run_id) : std::nullopt,
            run.parent ? PgParam(run.parent->task) : std::nullopt,
            run.parent ? PgParam(run.parent->workflow) : std::nullopt});
  std::vector<std::vector<PgParam>> rows;
  rows.reserve(tasks.size());
  for (const TaskRecord& task : tasks) rows.push_back(task_row(run.run_id, task));
  db_.exec_each("creating a run's tasks", kUpsertTask, rows);
}

void PostgresStore::create_run(const RunRecord& run, const std::vector<TaskRecord>& tasks) {
  db_.in_transaction([&] { insert_run(run, tasks); });
}

// Runs are inserted in the order given, so `seq` orders them as in the state they came from.
void PostgresStore::import_runs(const std::vector<StoredRun>& runs) {
  db_.in_transaction([&] {
    for (const StoredRun& stored : runs) {
      insert_run(stored.run, stored.tasks);
      std::vector<std::vector<PgParam>> attempts;
      attempts.reserve(stored.attempts.size());
      for (const AttemptRecord& a : stored.attempts) {
        attempts.push_back(attempt_row(stored.run.run_id, a));
      }
      db_.exec_each("importing attempts", kInsertAttempt, attempts);
    }
  });
}

void PostgresStore::update_run(const RunRecord& run) {
  db_.exec("updating a run",
           "UPDATE runs SET status = $1, finished_at = $2, manifest_hash = $3, "
           "params = coalesce($4, params) WHERE run_id = $5",
           {to_string(run.status), optional_time(run.finished_at), run.manifest_hash,
            run.params ? PgParam(run.params->dump()) : std::nullopt, run.run_id});
}

std::vector<TaskRecord> PostgresStore::load_tasks(const std::string& run_id) {
  PgResult r = db_.exec("reading tasks",
                        "SELECT task_name, position, status, attempt, result, error, timestamp, "
                        "started_at, finished_at, next_attempt_at FROM tasks WHERE run_id = $1 "
                        "ORDER BY position, task_name COLLATE \"C\"",
                        {run_id});
  std::vector<TaskRecord> tasks;
  tasks.reserve(static_cast<size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    TaskRecord t;
    t.task_name = r.text(row, 0);
    t.position = static_cast<int>(r.number(row, 1));
    std::string status = r.text(row, 2);
    auto parsed = parse_task_status(status);
    if (!parsed) {
      throw Error::State("state database " + db_.describe() + ": task '" + t.task_name +
                         "' has unknown status '" + status + "'");
    }
    t.status = *parsed;
    t.attempt = static_cast<int>(r.number(row, 3));
    t.result = r.text(row, 4);
    t.error = r.text(row, 5);
    t.timestamp = column_time(r, row, 6).value_or(TimePoint{});
    t.started_at = column_time(r, row, 7);
    t.finished_at = column_time(r, row, 8);
    t.next_attempt_at = column_time(r, row, 9);
    tasks.push_back(std::move(t));
  }
  return tasks;
}

std::vector<AttemptRecord> PostgresStore::load_attempts(const std::string& run_id) {
  // COLLATE "C": task names sort by bytes, as SQLite sorts them.
  PgResult r = db_.exec("reading attempts",
                        "SELECT task_name, attempt, status, error, started_at, finished_at "
                        "FROM attempts WHERE run_id = $1 "
                        "ORDER BY started_at COLLATE \"C\", task_name COLLATE \"C\", attempt",
                        {run_id});
  std::vector<AttemptRecord> attempts;
  attempts.reserve(static_cast<size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    AttemptRecord a;
    a.task_name = r.text(row, 0);
    a.attempt = static_cast<int>(r.number(row, 1));
    a.status = parse_task_status(r.text(row, 2)).value_or(TaskStatus::kFailed);
    a.error = r.text(row, 3);
    a.started_at = column_time(r, row, 4).value_or(TimePoint{});
    a.finished_at = column_time(r, row, 5).value_or(TimePoint{});
    attempts.push_back(std::move(a));
  }
  return attempts;
}

// As SQLite's store: one transaction, and a task that changes several times in the batch has
// only its last state written; every attempt is written, in order.
void PostgresStore::apply(const std::string& run_id, const std::vector<TaskUpdate>& updates) {
  if (updates.empty()) return;
  std::vector<bool> is_last(updates.size(), false);
  std::unordered_set<std::string_view> seen;
  seen.reserve(updates.size());
  for (size_t i = updates.size(); i-- > 0;)
    is_last[i] = seen.insert(updates[i].task.task_name).second;
  std::vector<std::vector<PgParam>> tasks, attempts;
  for (size_t i = 0; i < updates.size(); ++i) {
    if (is_last[i]) tasks.push_back(task_row(run_id, updates[i].task));
    if (updates[i].attempt) attempts.push_back(attempt_row(run_id, *updates[i].attempt));
  }
  db_.in_transaction([&] {
    db_.exec_each("recording task state", kUpsertTask, tasks);
    db_.exec_each("recording attempts", kInsertAttempt, attempts);
  });
}

}  // namespace flowweaver
