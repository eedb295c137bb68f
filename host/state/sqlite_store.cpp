#include "state/sqlite_store.h"

#include <unistd.h>

#include <algorithm>
#include <string_view>
#include <tuple>
#include <unordered_set>

#include "state/sqlite_reading.h"
#include "state/wal_sync.h"
#include "util/error.h"
#include "util/time_format.h"

namespace flowweaver {
namespace {

// The columns of `attempts`, in a new file and in the migration to version 3.
const char* kAttemptsTable = R"sql((
  run_id      TEXT NOT NULL,
  task_name   TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  status      TEXT NOT NULL,
  error       TEXT,
  started_at  TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  PRIMARY KEY (run_id, task_name, attempt)
) WITHOUT ROWID;
)sql";

// Version 4 indexes the runs left RUNNING (a handful at most, however long the history), which
// a writer looks for when it opens the file: see SqliteStore::restore_held().
const char* kUnfinishedRunsIndex =
    "CREATE INDEX IF NOT EXISTS runs_unfinished ON runs(run_id) WHERE status = 'RUNNING';";

// Version 5 keeps each run's parameters, resolved once when it was created (JSON; NULL for the
// runs before).
const char* kMigrationToV5 = "ALTER TABLE runs ADD COLUMN params TEXT;";

// Version 6 links a sub-workflow's run to the parent run and task that started it (NULL for a
// run of its own), and indexes the link: a parent's attempt looks its child run up by it.
const char* kMigrationToV6 = R"sql(
ALTER TABLE runs ADD COLUMN parent_run_id TEXT;
ALTER TABLE runs ADD COLUMN parent_task TEXT;
ALTER TABLE runs ADD COLUMN parent_workflow TEXT;
)sql";
const char* kRunsByParentIndex =
    "CREATE INDEX IF NOT EXISTS runs_by_parent ON runs(parent_run_id, parent_task) "
    "WHERE parent_run_id IS NOT NULL;";

// A new file gets the current version at once.
std::string current_schema() {
  return std::string(R"sql(
CREATE TABLE runs (
  run_id        TEXT PRIMARY KEY,
  workflow      TEXT NOT NULL,
  status        TEXT NOT NULL,
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  manifest_hash TEXT NOT NULL,
  params        TEXT,
  parent_run_id   TEXT,
  parent_task     TEXT,
  parent_workflow TEXT
);
CREATE INDEX runs_by_workflow ON runs(workflow);
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
CREATE TABLE attempts )sql") +
         kAttemptsTable + kUnfinishedRunsIndex + kRunsByParentIndex;
}

// Version 2 takes work off every commit and every new run: `tasks_by_status`, an index no
// query of ours used, which every status change rewrote, is gone.
const char* kMigrationToV2 = "DROP INDEX IF EXISTS tasks_by_status;";

// Version 3 keys `attempts` by its primary key alone (WITHOUT ROWID): a new attempt writes one
// b-tree instead of two (the rows and the key's index), a page less in every commit, and a
// chain makes one commit per step. The rows are copied over.
std::string migration_to_v3() {
  return std::string("CREATE TABLE attempts_v3 ") + kAttemptsTable + R"sql(
INSERT INTO attempts_v3 (run_id, task_name, attempt, status, error, started_at, finished_at,
                         duration_ms)
  SELECT run_id, task_name, attempt, status, error, started_at, finished_at, duration_ms
  FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_v3 RENAME TO attempts;
)sql";
}

std::string optional_time(const std::optional<TimePoint>& t) {
  return t ? format_timestamp(*t) : std::string();
}

std::optional<TimePoint> column_time(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return parse_timestamp(c.getString());
}

void bind_text_or_null(SQLite::Statement& s, int index, const std::string& value) {
  if (value.empty()) {
    s.bind(index);
  } else {
    s.bind(index, value);
  }
}

RunRecord read_run(SQLite::Statement& q) {
  RunRecord run;
  run.run_id = q.getColumn(0).getString();
  run.workflow = q.getColumn(1).getString();
  run.status = parse_run_status(q.getColumn(2).getString()).value_or(RunStatus::kFailed);
  run.started_at = column_time(q.getColumn(3)).value_or(TimePoint{});
  run.finished_at = column_time(q.getColumn(4));
  run.manifest_hash = q.getColumn(5).getString();
  if (!q.getColumn(6).isNull()) {
    nlohmann::json params = nlohmann::json::parse(q.getColumn(6).getString(), nullptr, false);
    if (params.is_object()) run.params = std::move(params);
  }
  if (!q.getColumn(7).isNull()) {
    run.parent = RunParent{q.getColumn(7).getString(), q.getColumn(8).getString(),
                           q.getColumn(9).getString()};
  }
  return run;
}

}  // namespace

// Every SQLite error leaves this class as Error::State saying what was being done.
template <class F>
auto SqliteStore::guarded(const char* doing, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    int code = e.getErrorCode() & 0xff;  // the primary code of an extended one
    std::string advice = code == SQLITE_CORRUPT || code == SQLITE_NOTADB
                             ? ". The file is damaged: `flowweaver check " + path_ +
                                   "` says where; restore the state from a backup"
                             : "";
    throw Error::State("state database " + path_ + ": " + doing + " failed: " + e.what() + advice);
  }
}

template <class F>
void SqliteStore::in_transaction(F&& body) {
  // IMMEDIATE takes the write lock up front, so a concurrent writer makes us wait (busy
  // timeout) instead of failing half-way with "database is locked".
  db_->exec("BEGIN IMMEDIATE");
  try {
    body();
    db_->exec("COMMIT");
  } catch (...) {
    try {
      db_->exec("ROLLBACK");
    } catch (const SQLite::Exception&) {
      // The original error is the one worth reporting.
    }
    throw;
  }
}

// What apply_awaited() held back goes into this transaction too, after `body`; held_ is emptied
// only once it has committed (a failed transaction wrote nothing, so they stay held).
template <class F>
void SqliteStore::in_transaction_writing_held(F&& body) {
  in_transaction([&] {
    body();
    for (const HeldAttempt& held : held_) write_attempt(held.run_id, held.attempt);
  });
  held_.clear();
}

SqliteStore::SqliteStore(const std::string& path, Durability durability)
    : SqliteStore(path, durability, HoldLimits{}) {}

SqliteStore::SqliteStore(const std::string& path, Durability durability, HoldLimits limits)
    : SqliteStore(path, durability == Durability::kFull ? "FULL" : "NORMAL") {
  limits_ = limits;
}

SqliteStore::SqliteStore(const std::string& path, Staging) : path_(path) {
  guarded("creating", [&] {
    db_ = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    // Nobody else sees this file yet: no locks to share, no journal, no syncs. The schema is
    // written straight into the file, which is then switched to WAL for good.
    db_->exec("PRAGMA locking_mode=EXCLUSIVE");
    db_->exec("PRAGMA journal_mode=OFF");
    db_->exec("PRAGMA synchronous=OFF");
  });
  guarded("creating the schema", [&] { migrate(); });
  guarded("creating", [&] { db_->exec("PRAGMA journal_mode=WAL"); });
  prepare_statements();
}

SqliteStore::SqliteStore(const std::string& path, const char* synchronous) : path_(path) {
  guarded("opening", [&] {
    db_ = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db_->setBusyTimeout(5000);
    // Reading the schema first turns a non-database file into a clear error before any write.
    db_->exec("SELECT count(*) FROM sqlite_master");
    db_->exec(std::string("PRAGMA synchronous=") + synchronous);
    db_->exec("PRAGMA journal_mode=WAL");
    // A checkpoint syncs twice and stalls the commit that triggers it: with 4,096 pages (16 MB
    // of WAL) instead of SQLite's 1,000 between them, a big run makes a quarter as many. With
    // NORMAL the WAL is also synced in the background as it grows (FULL syncs every commit).
    sync_ = std::make_unique<WalSync>(
        db_->getHandle(), 4096, std::string_view(synchronous) == "NORMAL" ? &::fdatasync : nullptr);
    // SQLite's default 2 MB page cache holds the rows of a few thousand tasks: beyond that every
    // commit reads pages back. Taken only as the state grows.
    db_->exec("PRAGMA cache_size=-32768");
  });
  guarded("migrating the schema", [&] { migrate(); });
  prepare_statements();
  guarded("reading runs left RUNNING", [&] {
    refuse_if_damaged_after_a_crash();
    restore_held();
  });
}

SqliteStore::SqliteStore(const std::string& path, ReadOnly) : path_(path) {
  guarded("opening", [&] {
    db_ = open_sqlite_for_reading(path);
    db_->exec("SELECT count(*) FROM sqlite_master");
  });
  int version = guarded("reading the schema version",
                        [&] { return db_->execAndGet("PRAGMA user_version").getInt(); });
  if (version > kSchemaVersion) throw newer_schema_error(version);
  if (version < 1) {
    throw Error::State(path_ + " is not a FlowWeaver state database (it has no FlowWeaver schema)");
  }
  // An older file reads as it is, unmigrated: what a later version added reads as absent.
  schema_version_ = version;
  prepare_statements();
}

SqliteStore::~SqliteStore() = default;

Error SqliteStore::newer_schema_error(int version) const {
  return Error::State("state database " + path_ + " has schema version " + std::to_string(version) +
                      ", newer than this flowweaver understands (" +
                      std::to_string(kSchemaVersion) +
                      "); use a newer flowweaver. The file was not changed.");
}

// Preparing a write on a read-only connection works; only running it fails.
void SqliteStore::prepare_statements() {
  guarded("preparing statements", [&] {
    upsert_task_ = std::make_unique<SQLite::Statement>(*db_, R"sql(
      INSERT INTO tasks (run_id, task_name, position, status, attempt, result, error, timestamp,
                         started_at, finished_at, next_attempt_at)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
      ON CONFLICT (run_id, task_name) DO UPDATE SET
        position = ?3, status = ?4, attempt = ?5, result = ?6, error = ?7, timestamp = ?8,
        started_at = ?9, finished_at = ?10, next_attempt_at = ?11)sql");
    insert_attempt_ = std::make_unique<SQLite::Statement>(*db_, R"sql(
      INSERT OR REPLACE INTO attempts (run_id, task_name, attempt, status, error, started_at,
                                       finished_at, duration_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?))sql");
  });
}

void SqliteStore::migrate() {
  in_transaction([&] {
    int version = db_->execAndGet("PRAGMA user_version").getInt();
    if (version > kSchemaVersion) throw newer_schema_error(version);
    if (version < 1) {
      db_->exec(current_schema());
    } else {
      if (version < 2) db_->exec(kMigrationToV2);
      if (version < 3) db_->exec(migration_to_v3());
      if (version < 4) db_->exec(kUnfinishedRunsIndex);
      if (version < 5) db_->exec(kMigrationToV5);
      if (version < 6) {
        db_->exec(kMigrationToV6);
        db_->exec(kRunsByParentIndex);
      }
      // Later versions add their migrations here, in order (and change current_schema()).
    }
    // Only when something changed: opening a current state must not write to it (a damaged file
    // is then refused without having been touched).
    if (version < kSchemaVersion) {
      db_->exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    }
  });
}

std::vector<RunRecord> SqliteStore::query_runs(const std::string& where,
                                               const std::vector<std::string>& args, size_t limit) {
  return guarded("reading runs", [&] {
    SQLite::Statement q(*db_,
                        std::string("SELECT run_id, workflow, status, started_at, finished_at, "
                                    "manifest_hash, ") +
                            (schema_version_ >= 5 ? "params, " : "NULL, ") +
                            (schema_version_ >= 6 ? "parent_run_id, parent_task, parent_workflow"
                                                  : "NULL, NULL, NULL") +
                            " FROM runs " + where + " ORDER BY rowid DESC LIMIT ?");
    int next = 1;
    for (const std::string& arg : args) q.bind(next++, arg);
    q.bind(next, static_cast<int64_t>(limit));
    std::vector<RunRecord> runs;
    while (q.executeStep()) runs.push_back(read_run(q));
    return runs;
  });
}

std::optional<RunRecord> SqliteStore::latest_run(const std::string& workflow) {
  auto runs = query_runs("WHERE workflow = ?", {workflow}, 1);
  if (runs.empty()) return std::nullopt;
  return runs.front();
}

std::optional<RunRecord> SqliteStore::find_child_run(const std::string& parent_run_id,
                                                     const std::string& parent_task) {
  if (schema_version_ < 6) return std::nullopt;  // read as it is: no run has a parent
  auto runs =
      query_runs("WHERE parent_run_id = ? AND parent_task = ?", {parent_run_id, parent_task}, 1);
  if (runs.empty()) return std::nullopt;
  return runs.front();
}

std::optional<RunRecord> SqliteStore::find_run(const std::string& run_id) {
  auto runs = query_runs("WHERE run_id = ?", {run_id}, 1);
  if (runs.empty()) return std::nullopt;
  return runs.front();
}

std::vector<RunRecord> SqliteStore::list_runs(const std::string& workflow, size_t limit) {
  if (workflow.empty()) return query_runs("", {}, limit);
  return query_runs("WHERE workflow = ?", {workflow}, limit);
}

void SqliteStore::insert_run(const RunRecord& run) {
  SQLite::Statement insert(*db_,
                           "INSERT INTO runs (run_id, workflow, status, started_at, finished_at, "
                           "manifest_hash, params, parent_run_id, parent_task, parent_workflow) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, run.run_id);
  insert.bind(2, run.workflow);
  insert.bind(3, to_string(run.status));
  insert.bind(4, format_timestamp(run.started_at));
  bind_text_or_null(insert, 5, optional_time(run.finished_at));
  insert.bind(6, run.manifest_hash);
  bind_text_or_null(insert, 7, run.params ? run.params->dump() : "");
  bind_text_or_null(insert, 8, run.parent ? run.parent->run_id : "");
  bind_text_or_null(insert, 9, run.parent ? run.parent->task : "");
  bind_text_or_null(insert, 10, run.parent ? run.parent->workflow : "");
  insert.exec();
}

void SqliteStore::create_run(const RunRecord& run, const std::vector<TaskRecord>& tasks) {
  guarded("creating a run", [&] {
    in_transaction_writing_held([&] {
      insert_run(run);
      for (const TaskRecord& task : tasks) write_task(run.run_id, task);
    });
  });
}

void SqliteStore::import_runs(const std::vector<StoredRun>& runs) {
  guarded("importing runs", [&] {
    in_transaction_writing_held([&] {
      for (const StoredRun& stored : runs) {
        insert_run(stored.run);
        for (const TaskRecord& task : stored.tasks) write_task(stored.run.run_id, task);
        for (const AttemptRecord& a : stored.attempts) write_attempt(stored.run.run_id, a);
      }
    });
  });
}

void SqliteStore::update_run(const RunRecord& run) {
  guarded("updating a run", [&] {
    // The run's record and its held attempts go together: a run that ends is never left without
    // the attempts of its COMPLETED tasks (restore_held() only looks at RUNNING ones).
    in_transaction_writing_held([&] {
      SQLite::Statement update(*db_,
                               "UPDATE runs SET status = ?, finished_at = ?, manifest_hash = ?, "
                               "params = coalesce(?, params) WHERE run_id = ?");
      update.bind(1, to_string(run.status));
      bind_text_or_null(update, 2, optional_time(run.finished_at));
      update.bind(3, run.manifest_hash);
      bind_text_or_null(update, 4, run.params ? run.params->dump() : "");
      update.bind(5, run.run_id);
      update.exec();
    });
  });
}

std::vector<TaskRecord> SqliteStore::load_tasks(const std::string& run_id) {
  return guarded("reading tasks", [&] {
    SQLite::Statement q(*db_,
                        "SELECT task_name, position, status, attempt, result, error, timestamp, "
                        "started_at, finished_at, next_attempt_at FROM tasks WHERE run_id = ? "
                        "ORDER BY position");
    q.bind(1, run_id);
    std::vector<TaskRecord> tasks;
    while (q.executeStep()) {
      TaskRecord t;
      t.task_name = q.getColumn(0).getString();
      t.position = q.getColumn(1).getInt();
      std::string status = q.getColumn(2).getString();
      auto parsed = parse_task_status(status);
      if (!parsed) {
        throw Error::State("state database " + path_ + ": task '" + t.task_name +
                           "' has unknown status '" + status + "'");
      }
      t.status = *parsed;
      t.attempt = q.getColumn(3).getInt();
      t.result = q.getColumn(4).getString();
      t.error = q.getColumn(5).getString();
      t.timestamp = column_time(q.getColumn(6)).value_or(TimePoint{});
      t.started_at = column_time(q.getColumn(7));
      t.finished_at = column_time(q.getColumn(8));
      t.next_attempt_at = column_time(q.getColumn(9));
      tasks.push_back(std::move(t));
    }
    return tasks;
  });
}

std::vector<AttemptRecord> SqliteStore::load_attempts(const std::string& run_id) {
  return guarded("reading attempts", [&] {
    SQLite::Statement q(*db_,
                        "SELECT task_name, attempt, status, error, started_at, finished_at "
                        "FROM attempts WHERE run_id = ? ORDER BY started_at, task_name, attempt");
    q.bind(1, run_id);
    std::vector<AttemptRecord> attempts;
    while (q.executeStep()) {
      AttemptRecord a;
      a.task_name = q.getColumn(0).getString();
      a.attempt = q.getColumn(1).getInt();
      a.status = parse_task_status(q.getColumn(2).getString()).value_or(TaskStatus::kFailed);
      a.error = q.getColumn(3).getString();
      a.started_at = column_time(q.getColumn(4)).value_or(TimePoint{});
      a.finished_at = column_time(q.getColumn(5)).value_or(TimePoint{});
      attempts.push_back(std::move(a));
    }
    // What apply_awaited() holds back belongs to the run all the same; in the query's order.
    size_t from_file = attempts.size();
    for (const HeldAttempt& held : held_) {
      if (held.run_id == run_id) attempts.push_back(held.attempt);
    }
    if (attempts.size() > from_file) {
      auto key = [](const AttemptRecord& a) {
        return std::make_tuple(std::chrono::floor<Millis>(a.started_at), std::cref(a.task_name),
                               a.attempt);
      };
      std::sort(attempts.begin(), attempts.end(),
                [&](const AttemptRecord& x, const AttemptRecord& y) { return key(x) < key(y); });
    }
    return attempts;
  });
}

void SqliteStore::write_task(const std::string& run_id, const TaskRecord& t) {
  SQLite::Statement& s = *upsert_task_;
  // Not reset(): after a failed step it throws that step's error again, which its transaction
  // has already reported, and would fail every later write (a held attempt's in update_run).
  s.tryReset();
  s.bind(1, run_id);
  s.bind(2, t.task_name);
  s.bind(3, t.position);
  s.bind(4, to_string(t.status));
  s.bind(5, t.attempt);
  bind_text_or_null(s, 6, t.result);
  bind_text_or_null(s, 7, t.error);
  s.bind(8, format_timestamp(t.timestamp));
  bind_text_or_null(s, 9, optional_time(t.started_at));
  bind_text_or_null(s, 10, optional_time(t.finished_at));
  bind_text_or_null(s, 11, optional_time(t.next_attempt_at));
  s.exec();
}

void SqliteStore::write_attempt(const std::string& run_id, const AttemptRecord& a) {
  SQLite::Statement& s = *insert_attempt_;
  s.tryReset();  // as in write_task()
  s.bind(1, run_id);
  s.bind(2, a.task_name);
  s.bind(3, a.attempt);
  s.bind(4, to_string(a.status));
  bind_text_or_null(s, 5, a.error);
  s.bind(6, format_timestamp(a.started_at));
  s.bind(7, format_timestamp(a.finished_at));
  // Of the times as stored (to the millisecond), so that restore_held() derives the same value.
  auto stored_ms = [](TimePoint t) {
    return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
  };
  s.bind(8, static_cast<int64_t>(stored_ms(a.finished_at) - stored_ms(a.started_at)));
  s.exec();
}

namespace {

// The attempt says nothing its task's row does not: it completed the task, and the row carries
// its number, times and (no) error. Such an attempt can be restored from the row alone.
bool completes_task(const TaskUpdate& u) {
  const AttemptRecord& a = *u.attempt;
  return a.status == TaskStatus::kCompleted && u.task.status == TaskStatus::kCompleted &&
         a.task_name == u.task.task_name && a.attempt == u.task.attempt && a.error.empty() &&
         u.task.started_at == a.started_at && u.task.finished_at == a.finished_at;
}

}  // namespace

void SqliteStore::apply(const std::string& run_id, const std::vector<TaskUpdate>& updates) {
  write_updates(run_id, updates, /*hold_completions=*/false);
}

void SqliteStore::apply_awaited(const std::string& run_id, const std::vector<TaskUpdate>& updates) {
  bool hold = held_.size() < limits_.max_held &&
              (held_.empty() || std::chrono::steady_clock::now() - held_since_ < limits_.max_time);
  write_updates(run_id, updates, hold);
}

void SqliteStore::write_updates(const std::string& run_id, const std::vector<TaskUpdate>& updates,
                                bool hold_completions) {
  if (updates.empty()) return;
  // A task often changes twice in one batch (RUNNING, then COMPLETED): only its last state is
  // written, which leaves the rows exactly as writing every state in order would.
  // Attempts are all written, in order, or held back.
  std::vector<bool> is_last(updates.size(), false);
  std::unordered_set<std::string_view> seen;
  seen.reserve(updates.size());
  for (size_t i = updates.size(); i-- > 0;)
    is_last[i] = seen.insert(updates[i].task.task_name).second;
  std::vector<HeldAttempt> newly_held;
  auto write = [&] {
    for (size_t i = 0; i < updates.size(); ++i) {
      if (is_last[i]) write_task(run_id, updates[i].task);
      if (!updates[i].attempt) continue;
      if (hold_completions && is_last[i] && completes_task(updates[i])) {
        newly_held.push_back({run_id, *updates[i].attempt});
      } else {
        write_attempt(run_id, *updates[i].attempt);
      }
    }
  };
  guarded("recording task state", [&] {
    if (hold_completions) {
      in_transaction(write);
    } else {
      in_transaction_writing_held(write);
    }
  });
  // Only once committed: a failed transaction holds nothing new either.
  if (newly_held.empty()) return;
  if (held_.empty()) held_since_ = std::chrono::steady_clock::now();
  held_.insert(held_.end(), std::make_move_iterator(newly_held.begin()),
               std::make_move_iterator(newly_held.end()));
}

// A process that died mid-run (a crash, a full disk, a kill during a copy) is when damage
// happens; SQLite itself only notices a damaged page when a query reads it, which for the pages
// of `attempts` is when a run is well under way, so it would fail half-way and be left RUNNING.
// Checking every open instead would cost a read of the whole history, each run.
void SqliteStore::refuse_if_damaged_after_a_crash() {
  if (!db_->execAndGet("SELECT EXISTS (SELECT 1 FROM runs WHERE status = 'RUNNING')").getInt()) {
    return;
  }
  std::string verdict = db_->execAndGet("PRAGMA quick_check(1)").getString();
  if (verdict == "ok") return;
  throw SQLite::Exception("database disk image is malformed (quick_check: " + verdict + ")",
                          SQLITE_CORRUPT);
}

// Only a run whose process died is left RUNNING when a writer opens the file (a writer holds
// the state's lock), and only its COMPLETED tasks can lack their attempt. The partial index
// runs_unfinished finds such runs without reading the whole history (CROSS JOIN keeps SQLite's
// planner from scanning `tasks` first instead).
void SqliteStore::restore_held() {
  SQLite::Statement missing(*db_, R"sql(
    SELECT t.run_id, t.task_name, t.attempt, t.started_at, t.finished_at
    FROM runs r CROSS JOIN tasks t ON t.run_id = r.run_id
    WHERE r.status = 'RUNNING' AND t.status = 'COMPLETED' AND t.attempt > 0
      AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.run_id = t.run_id
                        AND a.task_name = t.task_name AND a.attempt = t.attempt))sql");
  std::vector<HeldAttempt> restored;
  while (missing.executeStep()) {
    std::optional<TimePoint> started = column_time(missing.getColumn(3));
    std::optional<TimePoint> finished = column_time(missing.getColumn(4));
    if (!started || !finished) continue;  // not a row this store wrote; nothing to restore from
    AttemptRecord a{missing.getColumn(1).getString(),
                    missing.getColumn(2).getInt(),
                    TaskStatus::kCompleted,
                    "",
                    *started,
                    *finished};
    restored.push_back({missing.getColumn(0).getString(), std::move(a)});
  }
  if (restored.empty()) return;  // opening a sound file writes nothing
  in_transaction([&] {
    for (const HeldAttempt& r : restored) write_attempt(r.run_id, r.attempt);
  });
}

}  // namespace flowweaver
